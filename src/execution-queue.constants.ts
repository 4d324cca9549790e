/** Dependency-injection tokens of the service's ports. */
export const EVENT_PUBLISHER = Symbol('execution-queue:event-publisher');
export const QUEUE_STATE_STORE = Symbol('execution-queue:queue-state-store');
export const CLOCK = Symbol('execution-queue:clock');
export const POD_RUNTIME = Symbol('execution-queue:pod-runtime');
export const IN_MEMORY_BUS = Symbol('execution-queue:in-memory-bus');
export const TRANSPORT_CLIENT = Symbol('execution-queue:transport-client');
export const WIRE_CODEC = Symbol('execution-queue:wire-codec');
export const COORDINATOR_OBSERVER = Symbol('execution-queue:coordinator-observer');
/** Told of each execution's lifecycle events (the hooks a host registers). */
export const EXECUTION_LIFECYCLE_LISTENER = Symbol('execution-queue:execution-lifecycle-listener');
/** The connections a host gave in its options (GivenClients). */
export const GIVEN_CLIENTS = Symbol('execution-queue:given-clients');
export const HEALTH_INDICATORS = Symbol('execution-queue:health-indicators');
/** The cluster the Kubernetes pod runtime talks to (null with the simulated runtime). */
export const KUBE_CONFIG = Symbol('execution-queue:kube-config');
/** Carries the live streams' change frames between replicas (null: this process's changes only). */
export const CHANGE_RELAY = Symbol('execution-queue:change-relay');
/** Each role's own health check: the transport (every process), the state store, the Kubernetes API (null when not used). */
export const TRANSPORT_HEALTH_INDICATOR = Symbol('execution-queue:transport-health-indicator');
export const STATE_STORE_HEALTH_INDICATOR = Symbol('execution-queue:state-store-health-indicator');
export const KUBERNETES_HEALTH_INDICATOR = Symbol('execution-queue:kubernetes-health-indicator');
/** Told of what operators do (hold, resume, reprioritise, weights): the live streams' feed. */
export const OPERATOR_CHANGE_LISTENER = Symbol('execution-queue:operator-change-listener');
/** Whether this process consumes what its coordinator needs (TransportConsumption). */
export const TRANSPORT_CONSUMPTION = Symbol('execution-queue:transport-consumption');
/** How many dead letters this process wrote, by reason (DeadLetterCounts). */
export const DEAD_LETTERS = Symbol('execution-queue:dead-letters');
