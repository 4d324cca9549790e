/** How a transport's consumers are doing with messages they retry (health and metrics read it). */
export interface TransportRetryStats {
  /** Consumers currently waiting to retry a message. */
  retrying: number;
  /** Retries made since the transport started. */
  retriesTotal: number;
  /** When the longest-failing consumer's message first failed (epoch ms), if one is failing. */
  failingSince?: number;
  lastError?: string;
}

/** Something that reports its retries: the in-memory bus (Kafka retries are the broker client's). */
export interface TransportRetrySource {
  retryStats(): TransportRetryStats;
}
