/** One dependency's state, in the shape terminus reports it. */
export interface HealthResult {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

/** Something the ready probe checks: the state store, the transport, later Kafka, Redis, the API server. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<HealthResult>;
  /** Releases connections the indicator holds; called at shutdown. */
  close?(): Promise<void>;
}
