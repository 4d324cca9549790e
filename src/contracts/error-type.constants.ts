/** Why an execution failed, as carried by `execution_failed.error_type`. */
export const ErrorType = {
  SystemError: 'system_error',
  Timeout: 'timeout',
  ResourceLimit: 'resource_limit',
  ScriptError: 'script_error',
  PermissionDenied: 'permission_denied',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export const ERROR_TYPES: readonly ErrorType[] = Object.values(ErrorType);

export const ENVIRONMENTS = ['development', 'staging', 'production', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
