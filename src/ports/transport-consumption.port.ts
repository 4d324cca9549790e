/**
 * Whether this process consumes the events its coordinator needs. With Kafka a host starts the
 * consumers itself (`app.connectMicroservice({ strategy: createTransportStrategy(app) })`); a
 * submission made by a process that runs the coordinator but never started them would sit on
 * the broker unhandled, so it is refused instead (TransportNotStartedError).
 */
export class TransportConsumption {
  private listening = false;

  /** @param expected this process runs the coordinator over Kafka, so it must consume. */
  constructor(readonly expected: boolean) {}

  markListening(): void {
    this.listening = true;
  }

  /** True when a submission from here would be handled (or is for another process to handle). */
  get ready(): boolean {
    return !this.expected || this.listening;
  }
}
