import { PRIORITIES } from '../../contracts/priority.constants.js';

export type { QueueOrder } from '../../contracts/queue-order.constants.js';

/**
 * Virtual time one turn of a weight-1 user takes; a user of weight w takes floor(TURN / w).
 * Integer tags keep the in-memory and the Redis arithmetic identical (Lua and JavaScript
 * both compute in doubles, exact for integers below 2^53). 27720 is divisible by every weight
 * from 1 to 12; above that the rounding is under 0.4% of a turn.
 */
export const TURN_LENGTH = 27_720;

/** Virtual time a turn of a user of `weight` takes. */
export function turnLength(weight: number): number {
  return Math.floor(TURN_LENGTH / weight);
}

/**
 * Start-time fair queueing per priority level. Each level has a virtual time: the start tag of
 * the last execution taken from it. A new entry of user u starts at max(virtual time, u's last
 * finish tag) and moves u's finish tag on by one turn of u's weight; the level is served in
 * start-tag order. So users who keep work waiting take turns in proportion to their weights, a
 * user's own entries keep their arrival order (each starts where the previous one finishes),
 * and a user who arrives with nothing waiting starts at the current virtual time: right
 * behind the turn being served, not behind everything queued before.
 *
 * Turns are owed only while there is contention, which keeps the order fair and also
 * predictable (a start tag ahead of the virtual time means later arrivals of other users may
 * still go first, which no position can foresee):
 * - a user with nothing pending and nothing running starts at the virtual time, whatever its
 *   finish tag says (its earlier turns are over);
 * - a new arrival that finds nothing waiting at its level and a slot free ends that level's
 *   busy period: every turn given there is settled, and the level's virtual time first moves up
 *   to the latest finish tag given there (start-time fair queueing's rule for an idle server;
 *   with several slots "idle" means one is free, so runs that hold every slot still count
 *   against their user: a flood that filled the slots does not get forgiven while it waits).
 *
 * Tags are assigned once and never change, which is what keeps a queue position exact: the
 * order of what waits is fixed, only new arrivals slot in. When nothing is pending, running or
 * held the clocks start over (no one's turns can be wronged by it), which keeps tags small.
 */
export class FairShare {
  private readonly virtualTime: number[] = PRIORITIES.map(() => 0);
  /** Per level, the latest finish tag given there: where a busy period's turns end. */
  private readonly latestFinish: number[] = PRIORITIES.map(() => 0);
  /** Each user's finish tag per level and turn length: one lookup per new entry. */
  private clocks = new Map<string, UserClock>();
  private readonly weights = new Map<string, number>();

  constructor(private readonly defaultWeight: number) {}

  weightOf(userId: string): number {
    return this.weights.get(userId) ?? this.defaultWeight;
  }

  /** Sets a user's weight; it applies from that user's next tag on. */
  setWeight(userId: string, weight: number): void {
    this.weights.set(userId, weight);
    const clock = this.clocks.get(userId);
    if (clock) clock.turn = turnLength(weight);
  }

  /**
   * The start tag of `userId`'s next turn at `level`; records where that turn finishes.
   * `settled`: nothing waits at that level and a slot is free; `userIdle`: the user has nothing
   * pending and nothing running (see the class comment for both).
   */
  nextTag(level: number, userId: string, settled: boolean, userIdle: boolean): number {
    let clock = this.clocks.get(userId);
    if (!clock) this.clocks.set(userId, (clock = { finishTags: PRIORITIES.map(() => 0), turn: turnLength(this.weightOf(userId)) }));
    if (settled && this.latestFinish[level]! > this.virtualTime[level]!) this.virtualTime[level] = this.latestFinish[level]!;
    const virtualTime = this.virtualTime[level]!;
    const start = userIdle ? virtualTime : Math.max(virtualTime, clock.finishTags[level]!);
    const finish = start + clock.turn;
    clock.finishTags[level] = finish;
    if (finish > this.latestFinish[level]!) this.latestFinish[level] = finish;
    return start;
  }

  /** How far a start tag at `level` is ahead of that level's virtual time (0: nobody can still pass it). */
  leadOf(level: number, tag: number): number {
    return tag - this.virtualTime[level]!;
  }

  /** An entry with start tag `tag` was taken from `level`. */
  served(level: number, tag: number): void {
    this.virtualTime[level] = tag;
  }

  /** Forgets every clock and finish tag (weights stay): only when nothing is pending or running. */
  restart(): void {
    this.virtualTime.fill(0);
    this.latestFinish.fill(0);
    this.clocks = new Map();
  }
}

/** A user's place in the fair order: where its last turn at each level finishes, and how long a turn of its weight is. */
interface UserClock {
  /** One per priority level, in PRIORITIES order. */
  readonly finishTags: number[];
  turn: number;
}
