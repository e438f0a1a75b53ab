/**
 * One device's inbox: its pending to-device messages in order of arrival (TD-20), as a queue of
 * parallel arrays (stream positions, events, acceptance times) with a head index.
 *
 * Costs do not grow with the backlog: append is O(1); acknowledging k messages is a galloping
 * search from the head, O(log k), plus moving the head (the arrays are emptied when nothing is
 * left, and compacted once the dead prefix is at least COMPACT_MIN entries and at least as long
 * as the live part, so O(1) amortised per acknowledged message); reading the first `limit`
 * pending messages is O(limit). Per message we keep one number, one time and one reference to an
 * event object that all recipients of the same content share.
 */
import type { ToDeviceEvent } from "../commands.ts";

export interface Inbox {
  readonly positions: number[];
  readonly events: ToDeviceEvent[];
  readonly acceptedAt: number[];
  /** Index of the oldest pending message; everything before it is deleted. */
  head: number;
  /**
   * The highest position any sync has returned. Messages at or below it that are still pending
   * are `returned` in the delivery machine, the rest `pending`. Syncs always return a prefix of
   * the pending messages, so one watermark per inbox says it all.
   */
  returnedUpTo: number;
}

const COMPACT_MIN = 1024;

export function createInbox(): Inbox {
  return { positions: [], events: [], acceptedAt: [], head: 0, returnedUpTo: 0 };
}

export function pendingCount(inbox: Inbox): number {
  return inbox.positions.length - inbox.head;
}

export function appendMessage(inbox: Inbox, position: number, event: ToDeviceEvent, at: number): void {
  // An empty inbox takes any first position.
  const last = inbox.positions[inbox.positions.length - 1] ?? Number.NEGATIVE_INFINITY;
  if (position <= last) {
    throw new Error(`inbox positions must increase: ${position} after ${last}`);
  }
  inbox.positions.push(position);
  inbox.events.push(event);
  inbox.acceptedAt.push(at);
}

/**
 * Index of the first pending message with a position above `position`: a galloping search from
 * the head (probe head, head+1, head+3, head+7, …, then bisect the last gap), so it costs
 * O(log k) for an answer k messages past the head, whatever the backlog. An acknowledgement drops
 * at most what the last sync returned, so its cost does not grow with the inbox.
 */
function firstAbove(inbox: Inbox, position: number): number {
  const positions = inbox.positions;
  // Everything before lo is at or below `position`; the answer is at most hi. A probe past the
  // end reads undefined, taken as above every position, so neither loop needs the length.
  let lo = inbox.head;
  let hi = lo;
  let step = 1;
  while ((positions[hi] ?? Number.POSITIVE_INFINITY) <= position) {
    // Stryker disable next-line ArithmeticOperator: speed only: lo need only stay at or below the answer, hi - 1 does, and the bisection below still finds it
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((positions[mid] ?? Number.POSITIVE_INFINITY) <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dropBefore(inbox: Inbox, index: number): number {
  const dropped = index - inbox.head;
  inbox.head = index;
  const length = inbox.positions.length;
  if (inbox.head === length) {
    inbox.positions.length = 0;
    inbox.events.length = 0;
    inbox.acceptedAt.length = 0;
    inbox.head = 0;
  } else if (inbox.head >= compactionThreshold(length - inbox.head)) {
    inbox.positions.splice(0, inbox.head);
    inbox.events.splice(0, inbox.head);
    inbox.acceptedAt.splice(0, inbox.head);
    inbox.head = 0;
  }
  return dropped;
}

/**
 * How long a dead prefix must be before it is compacted away, when `live` messages remain:
 * compaction moves the live part, so waiting until the dead prefix is at least as long keeps it
 * O(1) amortised per dropped message, and COMPACT_MIN spares small inboxes the churn.
 */
function compactionThreshold(live: number): number {
  return Math.max(COMPACT_MIN, live);
}

/** TD-21: delete every pending message at or below `position`; returns how many. */
export function ackUpTo(inbox: Inbox, position: number): number {
  return dropBefore(inbox, firstAbove(inbox, position));
}

export interface Peeked {
  readonly events: ToDeviceEvent[];
  /** Position of the last event returned, or null when none was. */
  readonly lastPosition: number | null;
  /** Whether pending messages remain beyond those returned. */
  readonly more: boolean;
}

/** The first `limit` pending messages, oldest first; marks them returned. */
export function takeForSync(inbox: Inbox, limit: number): Peeked {
  const end = Math.min(inbox.positions.length, inbox.head + limit);
  const events = inbox.events.slice(inbox.head, end);
  const lastPosition = end > inbox.head ? (inbox.positions[end - 1] ?? null) : null;
  inbox.returnedUpTo = Math.max(inbox.returnedUpTo, lastPosition ?? 0);
  return { events, lastPosition, more: end < inbox.positions.length };
}

/** Drop pending messages accepted at or before `cutoff` (oldest first); returns how many. */
export function expireAcceptedBy(inbox: Inbox, cutoff: number): number {
  let index = inbox.head;
  while (index < inbox.positions.length && (inbox.acceptedAt[index] ?? Number.POSITIVE_INFINITY) <= cutoff) index++;
  return dropBefore(inbox, index);
}

/** Acceptance time of the oldest pending message, or null when the inbox is empty. */
export function oldestAcceptedAt(inbox: Inbox): number | null {
  return inbox.acceptedAt[inbox.head] ?? null;
}

/** Whether a message at exactly this position is still pending. O(log n). */
export function holds(inbox: Inbox, position: number): boolean {
  const index = firstAbove(inbox, position - 1);
  return inbox.positions[index] === position;
}

/** Pending positions, oldest first (for tests and the abstraction function). */
export function pendingPositions(inbox: Inbox): readonly number[] {
  return inbox.positions.slice(inbox.head);
}
