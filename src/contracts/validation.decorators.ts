import { Matches, MaxLength, IsString, ValidateIf } from 'class-validator';
import { EXECUTION_ID_PATTERN, MAX_ID_LENGTH } from './wire-limits.constants.js';

/** The field must be present; `null` is a valid value and skips the other rules. */
export function Nullable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== null);
}

/**
 * The field may be left out, but if present it must be valid: unlike class-validator's
 * IsOptional, `null` is not taken as absent (the API's schema has no nullable fields).
 */
export function OmittableNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** A short identifier-like string. */
export function IsShortString(maxLength = MAX_ID_LENGTH): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(maxLength)(target, key);
  };
}

/** An execution id that is also safe inside Kubernetes object names. */
export function IsExecutionId(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(EXECUTION_ID_PATTERN, {
      message: '$property must be 1-64 lower-case letters, digits or dashes, starting and ending with a letter or digit',
    })(target, key);
  };
}
