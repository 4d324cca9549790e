/**
 * Size limits for inbound messages. A result carries up to MAX_OUTPUT_BYTES of stdout and of
 * stderr, so the raw limit leaves room for both; the broker and the results topic must accept
 * messages that large (README, Kafka).
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * Largest script accepted, in characters: a script travels in a ConfigMap, whose data Kubernetes
 * caps at 1 MiB, beside the entrypoint.
 */
export const MAX_SCRIPT_LENGTH = 1_000_000;
/** Most bytes of stdout and of stderr a result keeps (`K8S_OUTPUT_LIMIT_BYTES` may lower it). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Largest stdout or stderr carried in one event, in characters: the kept output and the cut marker. */
export const MAX_OUTPUT_LENGTH = MAX_OUTPUT_BYTES + 1024;
/** Identifiers, names and short texts. */
export const MAX_ID_LENGTH = 128;
export const MAX_TEXT_LENGTH = 4096;
export const MAX_RUNTIME_COMMAND_PARTS = 64;
export const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;
/**
 * Execution ids end up in pod and ConfigMap names (`executor-<id>`), so they are restricted to
 * lower-case DNS label characters; a UUID qualifies.
 */
export const EXECUTION_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;
/** ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
