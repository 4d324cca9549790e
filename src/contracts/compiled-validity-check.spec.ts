import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { WIRE_FIXTURES } from '../../test/fixtures/wire-events.fixtures.js';
import { compileValidityCheck } from './compiled-validity-check.js';
import { EVENT_CLASSES, type AnyEvent } from './event-registry.js';
import type { EventType } from './event-type.constants.js';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from './wire-limits.constants.js';

type Plain = Record<string, unknown>;

const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const classOf = (eventType: string) => EVENT_CLASSES[eventType as EventType] as new () => AnyEvent;
const fullyValid = (eventType: string, plain: Plain) => validateSync(plainToInstance(classOf(eventType), plain), { forbidUnknownValues: false }).length === 0;

/** Values near every rule's edges: lengths around the limits, ids, timestamps, numbers of each kind, wrong types. */
const edgyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(MAX_ID_LENGTH - 1, MAX_ID_LENGTH, MAX_ID_LENGTH + 1, 16, 17, 32, 33, MAX_TEXT_LENGTH + 1).map((length) => 'x'.repeat(length)),
  fc.constantFrom('a', 'a-b', '-a', 'A', 'a'.repeat(64), 'a'.repeat(65), '0b7c5a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b', 'not-a-uuid'),
  fc.constantFrom('2026-11-26T13:25:59Z', '2026-11-26T13:25:59.1+01:00', '2026-11-26 13:25:59', '2026-11-26T13:25:59'),
  fc.constantFrom('critical', 'high', 'normal', 'low', 'background', 'urgent', 'production', 'test', 'system_error', 'timeout'),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 70 }),
  fc.array(fc.oneof(fc.constant({}), fc.constant(null), fc.constant([]), fc.record({ name: fc.string({ maxLength: 3 }), ready: fc.boolean() })), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.constantFrom('execution_time_wall_seconds', 'cpu_time_jiffies', 'user_id', 'service_name', 'environment', 'extra'), fc.oneof(fc.integer({ min: -1, max: 5 }), fc.string({ maxLength: 3 }), fc.constant(null))),
);

/** Every field path of a fixture, into nested objects and arrays of them. */
function pathsOf(plain: Plain, prefix: string[] = []): string[][] {
  return Object.entries(plain).flatMap(([key, value]) => {
    const path = [...prefix, key];
    return value !== null && typeof value === 'object' ? [path, ...pathsOf(value as Plain, path)] : [path];
  });
}

function mutated(fixture: Plain, changes: { path: string[]; value: unknown; remove: boolean }[]): Plain {
  const copy = jsonCopy(fixture);
  for (const { path, value, remove } of changes) {
    let parent: Plain = copy;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (next === null || typeof next !== 'object') return copy;
      parent = next as Plain;
    }
    const last = path[path.length - 1]!;
    if (remove) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

describe('compileValidityCheck', () => {
  describe.each(Object.entries(WIRE_FIXTURES))('%s', (eventType, fixture) => {
    const check = compileValidityCheck(classOf(eventType));

    it('compiles, and takes the valid fixture as an instance of its class with every field kept', () => {
      expect(check).not.toBeNull();
      const instance = check!(jsonCopy(fixture));
      expect(instance).toBeInstanceOf(classOf(eventType));
      expect((instance as unknown as { metadata: object }).metadata.constructor.name).toBe('EventMetadata');
      expect(JSON.parse(JSON.stringify(instance))).toEqual(fixture);
    });

    it('never takes a message that the full validation rejects', () => {
      const paths = [...pathsOf(fixture), ['unknown_field'], ['metadata', 'unknown_field']];
      const change = fc.record({ path: fc.constantFrom(...paths), value: edgyValue, remove: fc.boolean() });
      let taken = 0;
      let rejected = 0;
      fc.assert(
        fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
          // Messages arrive as JSON, so both checks see the mutation after a round trip through it
          // (which turns an Infinity or a NaN into null, as a producer's JSON.stringify would).
          const plain = jsonCopy(mutated(fixture, changes));
          const full = fullyValid(eventType, plain);
          const fast = check!(jsonCopy(plain)) !== undefined;
          if (fast) taken++;
          if (!full) rejected++;
          // Stricter is allowed (the full validation then decides); laxer never.
          expect(fast && !full).toBe(false);
        }),
        { numRuns: 500 },
      );
      // Both verdicts occur, so the property says something either way.
      expect(taken).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    });
  });
});
