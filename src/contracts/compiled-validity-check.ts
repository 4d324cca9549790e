import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';

/** Turns a plain object (as parsed from JSON) into a valid instance of the class, or answers undefined. */
export type ValidInstanceOf<T> = (plain: Record<string, unknown>) => T | undefined;

type PropertyCheck = (object: Record<string, unknown>) => boolean;

/**
 * A check compiled once from a class's class-validator decorators, for the messages the service
 * consumes by the thousand per second. It calls the very constraint functions the decorators
 * registered, but does not look the metadata up again or build error objects on each call; the
 * generic validation cost more than a third of the coordinator's CPU under load.
 *
 * It may only be stricter than class-validator, never laxer: whatever it is not sure of (an
 * asynchronous constraint, a nested value of an unexpected shape) it answers
 * undefined, and the caller then runs the full validation, which also words the errors. A
 * property test holds the two to that (compiled-validity-check.spec.ts). Like class-transformer,
 * it builds the instance with `new` and copies the fields, nested `@Type` fields as their class.
 * Null when the class uses what it cannot compile at all.
 */
export function compileValidityCheck<T extends object>(target: new () => T): ValidInstanceOf<T> | null {
  const compiled = compileClass(target);
  if (!compiled) return null;
  return (plain) => (compiled.valid(plain) ? (compiled.instance(plain) as T) : undefined);
}

interface CompiledClass {
  valid(object: Record<string, unknown>): boolean;
  instance(object: Record<string, unknown>): object;
}

function compileClass(target: new () => object): CompiledClass | null {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(target, '', false, false));
  const checks: PropertyCheck[] = [];
  const nestedClasses = new Map<string, CompiledClass>();
  for (const [property, metadatas] of Object.entries(grouped)) {
    let nestedClass: CompiledClass | undefined;
    if (metadatas.some((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION)) {
      const type = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction() as (new () => object) | undefined;
      const compiled = type ? compileClass(type) : null;
      if (!compiled) return null;
      nestedClasses.set(property, (nestedClass = compiled));
    }
    const check = compileProperty(target.name, property, metadatas, nestedClass);
    if (!check) return null;
    checks.push(check);
  }
  return {
    valid: (object) => {
      for (let i = 0; i < checks.length; i++) if (!checks[i]!(object)) return false;
      return true;
    },
    instance: (object) => {
      const instance = Object.assign(new target(), object) as Record<string, unknown>;
      for (const [property, compiled] of nestedClasses) {
        const value = object[property];
        if (isPlainObject(value)) instance[property] = compiled.instance(value);
        else if (Array.isArray(value)) instance[property] = value.map((item) => compiled.instance(item as Record<string, unknown>));
      }
      return instance;
    },
  };
}

/** One property's rules, in class-validator's order: conditions first, then constraints, then the nested object. */
function compileProperty(targetName: string, property: string, metadatas: ValidationMetadata[], nested: CompiledClass | undefined): PropertyCheck | null {
  const storage = getMetadataStorage();
  const conditions: ((object: object, value: unknown) => boolean)[] = [];
  const constraints: ((object: Record<string, unknown>, value: unknown) => boolean)[] = [];
  for (const metadata of metadatas) {
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.NESTED_VALIDATION:
        break;
      case ValidationTypes.CUSTOM_VALIDATION:
      case ValidationTypes.IS_DEFINED: {
        for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
          if (constraint.async) return null;
          // One arguments object per constraint, refilled on each call: the constraints are
          // synchronous and keep nothing, and this runs dozens of times per message.
          const args: ValidationArguments = { targetName, property, object: {}, value: undefined, constraints: metadata.constraints };
          const validate = (object: Record<string, unknown>, value: unknown) => {
            args.object = object;
            args.value = value;
            return constraint.instance.validate(value, args) === true;
          };
          const { validateIf, each } = metadata;
          constraints.push((object, value) => {
            if (validateIf && !validateIf(object, value)) return true;
            if (each && Array.isArray(value)) return value.every((item) => validate(object, item));
            // A Set or a Map cannot come out of JSON; leave anything odd to the full validation.
            if (each && value instanceof Object && !isPlainObject(value)) return false;
            return validate(object, value);
          });
        }
        break;
      }
      default:
        return null;
    }
  }
  return (object) => {
    const value = object[property];
    for (let i = 0; i < conditions.length; i++) if (!conditions[i]!(object, value)) return true;
    for (let i = 0; i < constraints.length; i++) if (!constraints[i]!(object, value)) return false;
    if (!nested || value === undefined) return true;
    // An array's items are each checked as the nested class (a nested array within is left to the full validation).
    if (Array.isArray(value)) return value.every((item) => isPlainObject(item) && nested.valid(item));
    return isPlainObject(value) && nested.valid(value);
  };
}

/** An object as JSON.parse makes them (of whichever realm): its prototype is a root one, or none. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
