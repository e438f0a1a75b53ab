/**
 * A linear-time history checker for send-to-device, after Jepsen's total-queue checker.
 *
 * Input, all client-visible:
 * - sends: each message with a unique id (carried in its content), the sending device, the
 *   devices it was addressed to (as known when it was sent: `*` already expanded), its outcome
 *   (`ok`: 200; `failed`: a definite error such as 413, so it must never appear; `unknown`: the
 *   answer was lost, so it may appear at most once) and its acceptance order (a number; a
 *   device's messages must be committed in increasing order);
 * - per device, its committed sync chain: the events of every sync whose next_batch the device
 *   then used as since, in chain order, as message ids.
 *
 * Output: `lost` (ok, addressed to the device, never committed by it), `duplicated` (committed
 * more than once by one device), `unexpected` (committed but never sent, sent to other devices,
 * or from a failed send) and `reordered` (committed after a message accepted later).
 *
 * Devices listed in `exempt` (deleted devices) are not owed anything: no `lost` for them; every
 * other check still applies. Cost: O(sends + recipients + committed events).
 */

export type SendOutcome = "ok" | "failed" | "unknown";

export interface RecordedSend {
  readonly id: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly outcome: SendOutcome;
  readonly order: number;
}

export interface History {
  readonly sends: readonly RecordedSend[];
  /** device → the ids in each committed sync response, in chain order. */
  readonly chains: ReadonlyMap<string, readonly (readonly string[])[]>;
  readonly exempt?: ReadonlySet<string>;
}

export interface Violation {
  readonly device: string;
  readonly id: string;
}

export interface Verdict {
  readonly ok: boolean;
  readonly lost: Violation[];
  readonly duplicated: (Violation & { readonly count: number })[];
  readonly unexpected: Violation[];
  /** `id` was committed after `after`, which the server accepted later. */
  readonly reordered: (Violation & { readonly after: string })[];
}

interface Indexed {
  readonly send: RecordedSend;
  readonly to: ReadonlySet<string>;
}

function index(sends: readonly RecordedSend[]): Map<string, Indexed> {
  const byId = new Map<string, Indexed>();
  for (const send of sends) {
    if (byId.has(send.id)) throw new Error(`history: message id ${send.id} sent twice; ids must be unique`);
    byId.set(send.id, { send, to: new Set(send.recipients) });
  }
  return byId;
}

export function checkHistory(history: History): Verdict {
  const byId = index(history.sends);
  const verdict: Verdict = { ok: true, lost: [], duplicated: [], unexpected: [], reordered: [] };
  const counts = new Map<string, Map<string, number>>();
  for (const [device, chain] of history.chains) {
    counts.set(device, checkChain(device, chain, byId, verdict));
  }
  const exempt = history.exempt ?? new Set<string>();
  for (const { id, outcome, recipients } of history.sends) {
    if (outcome !== "ok") continue;
    for (const device of recipients) {
      if (!exempt.has(device) && (counts.get(device)?.get(id) ?? 0) === 0) verdict.lost.push({ device, id });
    }
  }
  const ok =
    verdict.lost.length + verdict.duplicated.length + verdict.unexpected.length + verdict.reordered.length === 0;
  return { ...verdict, ok };
}

/** One device's chain: counts per id, and unexpected, duplicated, reordered findings. */
function checkChain(
  device: string,
  chain: readonly (readonly string[])[],
  byId: ReadonlyMap<string, Indexed>,
  verdict: Verdict,
): Map<string, number> {
  const seen = new Map<string, number>();
  let latest: RecordedSend | null = null;
  for (const response of chain) {
    for (const id of response) {
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      if (count > 1) continue;
      const sent = byId.get(id);
      if (sent === undefined || sent.send.outcome === "failed" || !sent.to.has(device)) {
        verdict.unexpected.push({ device, id });
      } else if (latest !== null && sent.send.order < latest.order) {
        verdict.reordered.push({ device, id, after: latest.id });
      } else {
        latest = sent.send;
      }
    }
  }
  for (const [id, count] of seen) {
    if (count > 1) verdict.duplicated.push({ device, id, count });
  }
  return seen;
}
