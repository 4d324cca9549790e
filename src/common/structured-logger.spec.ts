import { StructuredLogger } from './structured-logger.js';

function capture(level: ConstructorParameters<typeof StructuredLogger>[0], format: 'text' | 'json') {
  const lines: string[] = [];
  return { lines, logger: new StructuredLogger(level, format, (line) => lines.push(line)) };
}

describe('StructuredLogger', () => {
  it('writes one parseable JSON object per line with level, context and message', () => {
    const { lines, logger } = capture('info', 'json');
    logger.log('queue drained', 'Coordinator');
    logger.error('dispatch failed', 'Error: boom\n    at x', 'Coordinator');
    logger.warn({ msg: 'slow', elapsed_ms: 12 }, 'Http');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'info', context: 'Coordinator', msg: 'queue drained' }),
      expect.objectContaining({ level: 'error', context: 'Coordinator', msg: 'dispatch failed', stack: 'Error: boom\n    at x' }),
      expect.objectContaining({ level: 'warn', context: 'Http', msg: 'slow', elapsed_ms: 12 }),
    ]);
  });

  it('drops messages below the threshold', () => {
    const { lines, logger } = capture('warn', 'text');
    logger.debug('noise');
    logger.log('info is below warn');
    logger.warn('kept', 'Ctx');
    logger.warn({ msg: 'slow', elapsed_ms: 12 }, 'Http');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/WARN {2}\[Ctx\] kept$/);
    expect(lines[1]).toMatch(/WARN {2}\[Http\] slow \{"elapsed_ms":12\}$/);
  });
});
