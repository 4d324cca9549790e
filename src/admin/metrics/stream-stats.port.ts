/** What the metrics read of the live streams. */
export interface StreamStats {
  streamStats(): { open: number; droppedTotal: number };
}
