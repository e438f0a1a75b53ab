// Checks federation edges the main suites leave open: why an inbound EDU is skipped, what a
// refused or failed transaction answers, when remembered answers expire (FED-4, FED-5, FED-9,
// FED-16, FED-22); and on the outbound side the configured EDU budget, back-off reset after a
// 200, a late 200 during back-off, stale timers and empty outbox entries (FED-8, FED-10,
// FED-21). Assumes the shell authenticated the origin and the driver reports each send once.
import { describe, expect, it } from "vitest";
import {
  createDestinations,
  type DestinationsCommand,
  type DestinationsEffect,
  type DestinationsState,
  stepDestinations,
} from "../../../src/engine/federation/destinations.ts";
import { createInbound, expireInbound, planTransaction, receiveTransaction } from "../../../src/engine/federation/inbound.ts";
import { createOutbox, enqueue, pendingDestinations, queuedCount } from "../../../src/engine/federation/outbox.ts";
import type { ServerName, TxnId, UserId } from "../../../src/ids.ts";

const A = "a.example" as ServerName;
const B = "b.example" as ServerName;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function edu(content: Record<string, unknown>) {
  return { edu_type: "m.direct_to_device", content: { sender: "@alice:a.example", type: "m.x", message_id: "m1", messages: { "@bob:b.example": { D: { n: 1 } } }, ...content } };
}

function plan(edus: unknown[]) {
  const state = createInbound({ serverName: B });
  return planTransaction(state, { origin: A, txnId: "t" as TxnId, body: { edus } }, 0);
}

describe("inbound (FED-4, FED-5, FED-9, FED-16, FED-22)", () => {
  it("skips an EDU with no edu_type or a non-string sender, type or message_id as invalid", () => {
    const bad = [{ content: edu({}).content }, edu({ sender: 5 }), edu({ type: 5 }), edu({ message_id: 5 })];
    const p = plan(bad);
    expect(p.kind === "apply" && p.skipped.map((s) => s.reason)).toEqual(["invalidEdu", "invalidEdu", "invalidEdu", "invalidEdu"]);
  });

  it("a transaction without an edus key is accepted and skips nothing", () => {
    const state = createInbound({ serverName: B });
    const out = receiveTransaction(state, { origin: A, txnId: "t" as TxnId, body: { pdus: [] } }, 0, () => ({ ok: true }));
    expect(out).toEqual({ answer: { outcome: "accepted", replayed: false }, deliveries: [], skipped: [], effects: [] });
  });

  it("a refused transaction says why and delivers nothing", () => {
    const bodies = [[], { pdus: {}, edus: [] }, { pdus: Array(51).fill({}), edus: [] }, { edus: Array(101).fill(edu({})) }];
    for (const body of bodies) {
      const out = receiveTransaction(createInbound({ serverName: B }), { origin: A, txnId: "t" as TxnId, body }, 0, () => ({ ok: true }));
      expect(out).toMatchObject({ answer: { outcome: "rejected", error: expect.stringMatching(/\S/) }, deliveries: [] });
    }
  });

  it("FED-22: a store that throws answers storageFailed with its reason, and the retry is processed afresh", () => {
    const state = createInbound({ serverName: B });
    const request = { origin: A, txnId: "t" as TxnId, body: { edus: [edu({})] } };
    const failed = receiveTransaction(state, request, 0, () => {
      throw new Error("disk full");
    });
    expect(failed.answer).toEqual({ outcome: "storageFailed", error: "disk full" });
    expect(receiveTransaction(state, request, 1, () => ({ ok: true })).deliveries).toHaveLength(1);
  });

  it("FED-16: a remembered answer is forgotten once exactly its retention has passed", () => {
    const state = createInbound({ serverName: B, transactionRetentionMs: DAY });
    receiveTransaction(state, { origin: A, txnId: "t" as TxnId, body: { edus: [] } }, 0, () => ({ ok: true }));
    expect(expireInbound(state, DAY - 1).answers).toBe(0);
    expect(expireInbound(state, DAY).answers).toBe(1);
  });
});

class Origin {
  private n = 0;
  readonly freshId = () => `id${++this.n}`;
  constructor(readonly state: DestinationsState) {}
  step(command: DestinationsCommand, now: number) {
    return stepDestinations(this.state, command, now, this.freshId);
  }
  send(n: number, now = 0) {
    return this.step({ kind: "federation.enqueue", destination: B, sender: "@alice:a.example" as UserId, eventType: "m.x", messages: { "@bob:b.example": { D: { n } } } }, now);
  }
  result(txnId: TxnId, ok: boolean, now: number) {
    return this.step({ kind: "federationResult", destination: B, txnId, result: ok ? { ok: true } : { ok: false, reason: "down" } }, now);
  }
}

function only<K extends DestinationsEffect["kind"]>(effects: readonly DestinationsEffect[], kind: K): Extract<DestinationsEffect, { kind: K }> {
  const found = effects.filter((e): e is Extract<DestinationsEffect, { kind: K }> => e.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Extract<DestinationsEffect, { kind: K }>;
}

describe("outbound (FED-8, FED-10, FED-21)", () => {
  it("FED-10: packs to the configured EDU budget", () => {
    const o = new Origin(createDestinations({ origin: A, maxEduBytes: 200 }));
    const messages = { "@b:b.example": { D: { p: "x".repeat(100) } }, "@c:b.example": { D: { p: "y".repeat(100) } } };
    const step = o.step({ kind: "federation.enqueue", destination: B, sender: "@alice:a.example" as UserId, eventType: "m.x", messages }, 0);
    expect(step.result).toEqual({ outcome: "enqueued", edus: 2 });
  });

  it("FED-21: a 200 resets the back-off, whether more is queued or the destination goes idle", () => {
    const o = new Origin(createDestinations({ origin: A, maxEdusPerTransaction: 1 }));
    const t1 = only(o.send(1).effects, "federation.send");
    o.send(2);
    const timer1 = only(o.result(t1.txnId, false, 0).effects, "timer");
    expect(o.step({ kind: "timer", id: timer1.id }, timer1.at).result).toEqual({ outcome: "retrying" });
    expect(only(o.result(t1.txnId, false, timer1.at).effects, "timer").at).toBe(timer1.at + 20 * MIN);
    const late = o.result(t1.txnId, true, timer1.at + MIN);
    const t2 = only(late.effects, "federation.send");
    expect(t2.txnId).not.toBe(t1.txnId);
    expect(only(o.result(t2.txnId, false, 100 * MIN).effects, "timer").at).toBe(110 * MIN);
  });

  it("FED-21: a 200 for a retried transaction resets the back-off, with or without more queued", () => {
    for (const more of [false, true]) {
      const o = new Origin(createDestinations({ origin: A, maxEdusPerTransaction: 1 }));
      const t1 = only(o.send(1).effects, "federation.send");
      const timer1 = only(o.result(t1.txnId, false, 0).effects, "timer");
      o.step({ kind: "timer", id: timer1.id }, timer1.at);
      const timer2 = only(o.result(t1.txnId, false, timer1.at).effects, "timer");
      o.step({ kind: "timer", id: timer2.id }, timer2.at);
      if (more) o.send(2, timer2.at);
      const acked = o.result(t1.txnId, true, timer2.at).effects;
      const t2 = more ? only(acked, "federation.send") : only(o.send(2, DAY).effects, "federation.send");
      expect(only(o.result(t2.txnId, false, DAY).effects, "timer").at).toBe(DAY + 10 * MIN);
    }
  });

  it("a timer superseded by a wake-up and a new failure is ignored; the live one retries", () => {
    const o = new Origin(createDestinations({ origin: A }));
    const t1 = only(o.send(1).effects, "federation.send");
    const stale = only(o.result(t1.txnId, false, 0).effects, "timer");
    o.step({ kind: "inboundFrom", origin: B }, MIN);
    const live = only(o.result(t1.txnId, false, MIN).effects, "timer");
    expect(o.step({ kind: "timer", id: stale.id }, stale.at)).toEqual({ result: { outcome: "ignored" }, effects: [] });
    expect(o.step({ kind: "timer", id: live.id }, live.at).result).toEqual({ outcome: "retrying" });
  });

  it("an outbox keeps no entry for a destination given nothing, and counts nothing for one it never saw", () => {
    const outbox = createOutbox();
    enqueue(outbox, B, []);
    expect(pendingDestinations(outbox)).toEqual([]);
    expect(queuedCount(outbox, "never.example" as ServerName)).toBe(0);
    expect(() => createOutbox({ maxEdusPerTransaction: 101 })).toThrowError(/\S/);
  });
});
