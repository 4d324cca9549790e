import { Injectable } from '@nestjs/common';
import type { ExecutionDetailDto } from '../dto/admin-responses.dto.js';
import { QueueOperations } from '../../application/queue-operations.service.js';
import { executionOf, POSITION_CHANGES, TERMINAL_CHANGES, type QueueChangeFrame } from './queue-change.js';
import { QueueChangeFeed } from './queue-change.feed.js';
import type { SseConnection } from './sse-connection.js';

/** An estimate that moved by less than this is not sent again. */
const ESTIMATE_RESOLUTION_MS = 1000;

/** What a watcher of one execution was last told, to send only what changed. */
interface Told {
  position?: number;
  estimatedStartMs?: number | null;
  state?: string;
}

/**
 * One execution's stream for the platform's front end: its state first (position and estimated
 * start while pending), the same again whenever they change, then `dispatched`, `running` and the
 * outcome, after which the stream ends. A change elsewhere in the queue costs each watcher of a
 * pending execution one lookup of its own execution (a rank, not a walk of the queue), and
 * lookups do not pile up: changes that arrive during one are answered by a single next one.
 */
@Injectable()
export class ExecutionStreamService {
  constructor(
    private readonly feed: QueueChangeFeed,
    private readonly admin: QueueOperations,
  ) {}

  /**
   * Serves the stream of one execution until its outcome or until the client goes away. Looks
   * the execution up before `open` is called, so an unknown id is a 404 (the error propagates)
   * rather than an empty stream. Frames that arrive during that lookup are held and applied after
   * it, so the end of an execution that finishes meanwhile is not missed.
   */
  async serve(executionId: string, open: () => SseConnection): Promise<void> {
    let held: QueueChangeFrame[] | null = [];
    const live: { follow?: (frame: QueueChangeFrame) => void } = {};
    const unsubscribe = this.feed.subscribe((frame) => (held ? held.push(frame) : live.follow!(frame)));
    let first: ExecutionDetailDto;
    try {
      first = await this.admin.execution(executionId);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    const connection = open();
    connection.onClose(unsubscribe);
    live.follow = this.follower(connection, first);
    for (const frame of held) live.follow(frame);
    held = null;
  }

  private follower(connection: SseConnection, first: ExecutionDetailDto): (frame: QueueChangeFrame) => void {
    const executionId = first.execution_id;
    const told: Told = {};
    let looking = false;
    let lookAgain = false;

    const tellState = (detail: ExecutionDetailDto) => {
      const estimatedStartMs = detail.estimated_start_at ? Date.parse(detail.estimated_start_at) : null;
      const moved =
        detail.state !== told.state ||
        detail.position !== told.position ||
        (estimatedStartMs === null) !== (told.estimatedStartMs === null || told.estimatedStartMs === undefined) ||
        (estimatedStartMs !== null && Math.abs(estimatedStartMs - (told.estimatedStartMs ?? 0)) >= ESTIMATE_RESOLUTION_MS);
      if (!moved) return;
      Object.assign(told, { state: detail.state, position: detail.position, estimatedStartMs });
      connection.send('state', detail);
    };

    const lookUp = async () => {
      if (looking) {
        lookAgain = true;
        return;
      }
      looking = true;
      do {
        lookAgain = false;
        try {
          const detail = await this.admin.execution(executionId);
          if (connection.isOpen && told.state === 'pending') tellState(detail);
        } catch {
          // Gone from the queue: the frame that says why is on its way.
        }
      } while (lookAgain && connection.isOpen);
      looking = false;
    };

    const onFrame = (frame: QueueChangeFrame) => {
      if (!connection.isOpen) return;
      if (executionOf(frame) === executionId) {
        if (frame.type === 'dispatched') {
          told.state = 'active';
          connection.send('dispatched', frame);
        } else if (frame.type === 'started') connection.send('running', frame);
        else if (frame.type === 'reprioritized') void lookUp();
        else if (TERMINAL_CHANGES.has(frame.type)) {
          connection.send(frame.type, frame);
          connection.end();
        }
        return;
      }
      if (told.state === 'pending' && POSITION_CHANGES.has(frame.type)) void lookUp();
    };

    tellState(first);
    return onFrame;
  }
}
