/**
 * Judging a run's to-device history with the linear history checker (src/check/history.ts).
 *
 * Order is promised per origin server only: a device commits the messages of one origin in the
 * order that origin accepted them (locally TD-20; over federation FED-20, one transaction in
 * flight per destination), but two origins' messages may interleave either way. So the history
 * is split by origin (the server of the sending device) and each part checked on its own; ids
 * that no send carries form one more part with no sends, where each counts as unexpected.
 */
import { type History as CheckedHistory, checkHistory, type RecordedSend, type Verdict } from "../check/history.ts";
import type { History, SendRecord } from "./history.ts";

export interface OriginVerdict extends Verdict {
  /** The origin server checked (0-based), or -1 for ids no send carries. */
  readonly origin: number;
}

function recorded(send: SendRecord): RecordedSend {
  const outcome = send.outcome === "pending" ? "unknown" : send.outcome;
  return { id: send.id, sender: send.sender, recipients: send.recipients, outcome, order: send.order };
}

export function checkToDevice(history: History): OriginVerdict[] {
  const originOf = new Map<string, number>();
  const sendsBy = new Map<number, RecordedSend[]>();
  for (const send of history.sends) {
    if (send.kind !== "toDevice") continue;
    originOf.set(send.id, send.origin);
    const list = sendsBy.get(send.origin) ?? [];
    list.push(recorded(send));
    sendsBy.set(send.origin, list);
  }
  const chainsBy = new Map<number, Map<string, string[][]>>();
  for (const [device, chain] of history.chains) {
    for (const response of chain) {
      const parts = new Map<number, string[]>();
      for (const id of response) {
        const origin = originOf.get(id) ?? -1;
        const part = parts.get(origin) ?? [];
        part.push(id);
        parts.set(origin, part);
      }
      for (const [origin, ids] of parts) {
        const chains = chainsBy.get(origin) ?? new Map<string, string[][]>();
        const deviceChain = chains.get(device) ?? [];
        deviceChain.push(ids);
        chains.set(device, deviceChain);
        chainsBy.set(origin, chains);
      }
    }
  }
  const origins = new Set([...sendsBy.keys(), ...chainsBy.keys()]);
  return [...origins].sort((a, b) => a - b).map((origin) => {
    const part: CheckedHistory = { sends: sendsBy.get(origin) ?? [], chains: chainsBy.get(origin) ?? new Map() };
    return { ...checkHistory(part), origin };
  });
}
