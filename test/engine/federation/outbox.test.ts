// Checks the per-destination outbox rules (FED-8, FED-21): acceptance order, at most N EDUs per
// transaction, one transaction in flight, EDUs removed only by the 200 for their own transaction,
// and the same transaction handed back until then. Assumes callers supply fresh transaction ids.
import { describe, expect, it } from "vitest";
import type { DirectToDeviceEdu } from "../../../src/engine/federation/edu-packing.ts";
import {
  acknowledge,
  createOutbox,
  enqueue,
  inFlight,
  nextTransaction,
  pendingDestinations,
  queuedCount,
} from "../../../src/engine/federation/outbox.ts";
import type { ServerName, TxnId, UserId } from "../../../src/ids.ts";

const B = "b.example" as ServerName;
const C = "c.example" as ServerName;
const txn = (id: string) => id as TxnId;
/** A transaction id source that can hand out only `id`. */
const fresh = (id: string) => () => txn(id);

function edus(from: number, count: number): DirectToDeviceEdu[] {
  return Array.from({ length: count }, (_, i) => ({
    edu_type: "m.direct_to_device" as const,
    content: { sender: "@a:a.example" as UserId, type: "m.test", message_id: `m${from + i}`, messages: {} },
  }));
}

const ids = (list: readonly DirectToDeviceEdu[]) => list.map((e) => e.content.message_id);

describe("outbox", () => {
  it("takes at most maxEdusPerTransaction EDUs per transaction, oldest first (FED-8)", () => {
    const outbox = createOutbox({ maxEdusPerTransaction: 3 });
    enqueue(outbox, B, edus(1, 4));
    enqueue(outbox, B, edus(5, 3));
    const first = nextTransaction(outbox, B, fresh("t1"), 10);
    expect(first.outcome === "started" && ids(first.transaction.edus)).toEqual(["m1", "m2", "m3"]);
    expect(first.outcome === "started" && first.transaction.originServerTs).toBe(10);
    expect(queuedCount(outbox, B)).toBe(4);
  });

  it("sends 101 EDUs in at least two transactions of at most 100, and all of them (FED-8, Synapse's test_transaction_splitting)", () => {
    const outbox = createOutbox();
    enqueue(outbox, B, edus(1, 101));
    const sent: string[] = [];
    let transactions = 0;
    for (let next = nextTransaction(outbox, B, fresh("t0"), 0); next.outcome === "started"; ) {
      expect(next.transaction.edus.length).toBeLessThanOrEqual(100);
      sent.push(...ids(next.transaction.edus));
      transactions += 1;
      expect(acknowledge(outbox, B, next.transaction.txnId)).toEqual({ outcome: "acknowledged", removed: next.transaction.edus.length });
      next = nextTransaction(outbox, B, fresh(`t${transactions}`), 0);
    }
    expect(transactions).toBe(2);
    expect(sent).toEqual(ids(edus(1, 101)));
  });

  it("keeps one transaction in flight: while it is unanswered the same one comes back (FED-21)", () => {
    const outbox = createOutbox({ maxEdusPerTransaction: 2 });
    enqueue(outbox, B, edus(1, 2));
    const first = nextTransaction(outbox, B, fresh("t1"), 0);
    enqueue(outbox, B, edus(3, 1));
    const again = nextTransaction(outbox, B, fresh("t2"), 5);
    expect(again.outcome).toBe("busy");
    expect(again.outcome === "busy" && again.transaction).toBe(first.outcome === "started" && first.transaction);
    expect(inFlight(outbox, B)?.txnId).toBe("t1");
  });

  it("removes exactly the acknowledged transaction's EDUs, and only for its own txnId (FED-21)", () => {
    const outbox = createOutbox({ maxEdusPerTransaction: 2 });
    enqueue(outbox, B, edus(1, 3));
    nextTransaction(outbox, B, fresh("t1"), 0);
    expect(acknowledge(outbox, B, txn("t0"))).toEqual({ outcome: "notInFlight" });
    expect(acknowledge(outbox, C, txn("t1"))).toEqual({ outcome: "notInFlight" });
    expect(ids(inFlight(outbox, B)?.edus ?? [])).toEqual(["m1", "m2"]);
    expect(acknowledge(outbox, B, txn("t1"))).toEqual({ outcome: "acknowledged", removed: 2 });
    expect(acknowledge(outbox, B, txn("t1"))).toEqual({ outcome: "notInFlight" });
    const next = nextTransaction(outbox, B, fresh("t2"), 0);
    expect(next.outcome === "started" && ids(next.transaction.edus)).toEqual(["m3"]);
  });

  it("keeps destinations apart and forgets a destination once it is empty", () => {
    const outbox = createOutbox();
    enqueue(outbox, B, edus(1, 1));
    enqueue(outbox, C, edus(2, 1));
    enqueue(outbox, C, []);
    expect(pendingDestinations(outbox).sort()).toEqual([B, C]);
    nextTransaction(outbox, B, fresh("t1"), 0);
    acknowledge(outbox, B, txn("t1"));
    expect(pendingDestinations(outbox)).toEqual([C]);
    expect(nextTransaction(outbox, B, fresh("t2"), 0)).toEqual({ outcome: "empty" });
    expect(JSON.parse(JSON.stringify(outbox))).toEqual({ maxEdusPerTransaction: 100, queues: { [C]: { queued: edus(2, 1), inFlight: null } } });
  });

  it("refuses a configuration above the spec's 100 EDUs (FED-8)", () => {
    expect(() => createOutbox({ maxEdusPerTransaction: 101 })).toThrow(RangeError);
    expect(() => createOutbox({ maxEdusPerTransaction: 0 })).toThrow(RangeError);
  });
});
