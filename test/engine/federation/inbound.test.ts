// Checks inbound transaction processing rule by rule (FED-3, FED-4, FED-5, FED-7, FED-8, FED-9,
// FED-16 to FED-20, FED-22, FED-23): limits, replayed transactions, EDU validation, spoofed
// senders, (origin, message_id) dedupe and its expiry, ordering, and storage failure. Assumes the
// shell has already authenticated `origin`; the store stands in for the engine's inbox.
import { describe, expect, it } from "vitest";
import {
  createInbound,
  type Delivery,
  expireInbound,
  type InboundState,
  planTransaction,
  receiveTransaction,
  type StoreDeliveries,
} from "../../../src/engine/federation/inbound.ts";
import type { ServerName, TxnId } from "../../../src/ids.ts";

const A = "a.example" as ServerName;
const B = "b.example" as ServerName;
const DAY = 24 * 60 * 60_000;

function edu(messageId: string, messages: Record<string, unknown>, sender = "@alice:a.example", type = "m.test") {
  return { edu_type: "m.direct_to_device", content: { sender, type, message_id: messageId, messages } };
}

class Receiver {
  readonly state: InboundState;
  readonly stored: Delivery[] = [];
  failNext: "refuse" | "throw" | null = null;
  constructor(state: InboundState = createInbound({ serverName: B })) {
    this.state = state;
  }
  readonly store: StoreDeliveries = (deliveries) => {
    const failure = this.failNext;
    this.failNext = null;
    if (failure === "throw") throw new Error("disk full");
    if (failure === "refuse") return { ok: false, reason: "database unavailable" };
    this.stored.push(...deliveries);
    return { ok: true };
  };
  receive(txnId: string, edus: unknown[], now = 0, origin = A, pdus: unknown[] = []) {
    return receiveTransaction(this.state, { origin, txnId: txnId as TxnId, body: { origin, origin_server_ts: now, pdus, edus } }, now, this.store);
  }
  /** (user, device, content.n) of everything stored, in order. */
  get log() {
    return this.stored.map((d) => [d.userId, d.deviceId, d.content.n]);
  }
}

describe("inbound: transaction limits (FED-8, FED-9)", () => {
  it("refuses more than 100 EDUs or 50 PDUs and accepts exactly those numbers", () => {
    const r = new Receiver();
    const many = (n: number) => Array.from({ length: n }, (_, i) => edu(`m${i}`, { "@bob:b.example": { D: { n: i } } }));
    expect(r.receive("t1", many(101)).answer.outcome).toBe("rejected");
    expect(r.receive("t2", [], 0, A, Array.from({ length: 51 }, () => ({}))).answer.outcome).toBe("rejected");
    expect(r.stored).toEqual([]);
    expect(r.receive("t3", many(100), 0, A, Array.from({ length: 50 }, () => ({}))).answer).toEqual({ outcome: "accepted", replayed: false });
    expect(r.stored).toHaveLength(100);
  });

  it("counts a missing pdus key as no PDUs: a server that takes none accepts it, and refuses one PDU (FED-8)", () => {
    const r = new Receiver(createInbound({ serverName: B, maxPdus: 0 }));
    const at = (txnId: string, body: unknown) => receiveTransaction(r.state, { origin: A, txnId: txnId as TxnId, body }, 0, r.store).answer.outcome;
    expect([at("t1", { edus: [] }), at("t2", { pdus: [{}], edus: [] })]).toEqual(["accepted", "rejected"]);
  });

  it("refuses a body that is not an object or whose edus is not an array", () => {
    const r = new Receiver();
    const at = (body: unknown) => receiveTransaction(r.state, { origin: A, txnId: "t" as TxnId, body }, 0, r.store).answer.outcome;
    expect([at([]), at(null), at({ edus: {} }), at({ pdus: "x" })]).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    expect(at({})).toBe("accepted");
  });
});

describe("inbound: repeated transactions (FED-16)", () => {
  it("answers a repeated (origin, txnId) as before and delivers nothing; another origin's same txnId is new", () => {
    const r = new Receiver();
    const body = [edu("m1", { "@bob:b.example": { D: { n: 1 } } })];
    r.receive("t1", body);
    const again = r.receive("t1", [edu("m2", { "@bob:b.example": { D: { n: 2 } } })], 5);
    expect(again).toEqual({ answer: { outcome: "accepted", replayed: true }, deliveries: [], skipped: [], effects: [] });
    const fromC = r.receive("t1", [edu("m1", { "@bob:b.example": { D: { n: 3 } } }, "@carol:c.example")], 6, "c.example" as ServerName);
    expect(fromC.answer).toEqual({ outcome: "accepted", replayed: false });
    expect(r.log).toEqual([["@bob:b.example", "D", 1], ["@bob:b.example", "D", 3]]);
  });

  it("remembers a bounded number of answers, for a bounded time", () => {
    const r = new Receiver(createInbound({ serverName: B, maxRememberedTransactions: 2, transactionRetentionMs: 1000 }));
    for (const t of ["t1", "t2", "t3"]) r.receive(t, []);
    expect(r.state.answeredOrder).toHaveLength(2);
    expect(r.receive("t1", []).answer).toEqual({ outcome: "accepted", replayed: false });
    expect(r.receive("t3", [], 999).answer).toEqual({ outcome: "accepted", replayed: true });
    expect(r.receive("t3", [], 1000).answer).toEqual({ outcome: "accepted", replayed: false });
  });
});

describe("inbound: the m.direct_to_device EDU (FED-3, FED-4, FED-5, FED-7, FED-23)", () => {
  it("skips invalid EDUs, not the transaction, and ignores other EDU types", () => {
    const r = new Receiver();
    const ok = edu("m9", { "@bob:b.example": { D: { n: 9 } } });
    const broken = [
      { edu_type: "m.typing", content: {} },
      { edu_type: "m.direct_to_device" },
      edu("m1", { "@bob:b.example": { D: {} } }, "not-a-user"),
      edu("m2", { "@bob:b.example": { D: {} } }, "@alice:a.example", ""),
      edu("", { "@bob:b.example": { D: {} } }),
      edu("x".repeat(33), { "@bob:b.example": { D: {} } }),
      { edu_type: "m.direct_to_device", content: { sender: "@alice:a.example", type: "m.test", message_id: "m3", messages: [] } },
      "not an object",
    ];
    const result = r.receive("t1", [...broken, ok]);
    expect(result.answer).toEqual({ outcome: "accepted", replayed: false });
    expect(result.skipped.map((s) => s.reason)).toEqual(["unknownEduType", ...Array(7).fill("invalidEdu")]);
    expect(r.log).toEqual([["@bob:b.example", "D", 9]]);
  });

  it("skips an EDU whose sender is not a string, even an array holding a user id (FED-4)", () => {
    const r = new Receiver();
    const result = r.receive("t1", [{ edu_type: "m.direct_to_device", content: { sender: ["@alice:a.example"], type: "m.test", message_id: "m1", messages: { "@bob:b.example": { D: { n: 1 } } } } }]);
    expect(result.skipped).toEqual([{ edu: 0, reason: "invalidEdu" }]);
    expect(r.stored).toEqual([]);
  });

  it("accepts a message_id of 32 code points even when it is 64 UTF-16 units (FED-5)", () => {
    const r = new Receiver();
    r.receive("t1", [edu("😀".repeat(32), { "@bob:b.example": { D: { n: 1 } } })]);
    expect(r.log).toEqual([["@bob:b.example", "D", 1]]);
  });

  it("passes `*` on for the engine to expand, accepts empty content, skips other servers' users and bad entries (FED-7, FED-23)", () => {
    const r = new Receiver();
    const messages = {
      "@bob:b.example": { "*": {}, D1: { n: 1 }, D2: "not an object", "": { n: 0 } },
      "@carol:c.example": { D: { n: 2 } },
      "not-a-user": { D: { n: 3 } },
      "@dave:b.example": [],
    };
    const result = r.receive("t1", [edu("m1", messages)]);
    expect(r.log).toEqual([["@bob:b.example", "*", undefined], ["@bob:b.example", "D1", 1]]);
    expect(result.skipped.map((s) => [s.reason, s.userId, s.deviceId])).toEqual([
      ["invalidContent", "@bob:b.example", "D2"],
      ["invalidContent", "@bob:b.example", ""],
      ["remoteRecipient", "@carol:c.example", undefined],
      ["invalidRecipient", "not-a-user", undefined],
      ["invalidRecipient", "@dave:b.example", undefined],
    ]);
    expect(result.deliveries[0]).toEqual({ origin: A, messageId: "m1", sender: "@alice:a.example", eventType: "m.test", userId: "@bob:b.example", deviceId: "*", content: {} });
  });
});

describe("inbound: spoofed senders (FED-17, policy spoofed-edu-sender)", () => {
  const spoofed = edu("m1", { "@bob:b.example": { D: { n: 1 } } }, "@mallory:c.example");

  it("drops an EDU whose sender is not of the origin by default; the transaction still succeeds", () => {
    const r = new Receiver();
    const result = r.receive("t1", [spoofed]);
    expect(result.answer.outcome).toBe("accepted");
    expect(result.skipped).toEqual([{ edu: 0, reason: "spoofedSender" }]);
    expect(result.effects).toEqual([]);
    expect(r.stored).toEqual([]);
  });

  it("with policy log, warns and delivers as Synapse does", () => {
    const r = new Receiver(createInbound({ serverName: B, spoofedSender: "log" }));
    const result = r.receive("t1", [spoofed]);
    expect(result.effects).toEqual([{ kind: "log", level: "warn", message: expect.stringContaining("@mallory:c.example") }]);
    expect(r.log).toEqual([["@bob:b.example", "D", 1]]);
  });
});

describe("inbound: (origin, message_id) dedupe (FED-18, FED-19, policy federation-dedupe-retention)", () => {
  it("delivers a message_id once per origin, across and within transactions, for 7 days", () => {
    const r = new Receiver();
    const m = (n: number, id = "m1", sender = "@alice:a.example") => edu(id, { "@bob:b.example": { D: { n } } }, sender);
    r.receive("t1", [m(1), m(2)]);
    expect(r.receive("t2", [m(3)], 7 * DAY - 1).skipped).toEqual([{ edu: 0, reason: "duplicateMessageId" }]);
    r.receive("t3", [m(4, "m1", "@carol:c.example")], 0, "c.example" as ServerName);
    r.receive("t4", [m(5)], 7 * DAY);
    expect(r.log.map(([, , n]) => n)).toEqual([1, 4, 5]);
  });

  it("forgets ids and answers older than their retention on cleanup, and no others", () => {
    const r = new Receiver(createInbound({ serverName: B, messageIdRetentionMs: 100, transactionRetentionMs: 50 }));
    r.receive("t1", [edu("m1", {})], 0);
    r.receive("t2", [edu("m2", {})], 60);
    expect(expireInbound(r.state, 100)).toEqual({ messageIds: 1, answers: 1 });
    expect(Object.keys(r.state.messageIds)).toEqual([JSON.stringify([A, "m2"])]);
    expect(expireInbound(r.state, 100)).toEqual({ messageIds: 0, answers: 0 });
  });

  it("keeps an id re-seen after expiry when cleanup removes its older record", () => {
    const r = new Receiver(createInbound({ serverName: B, messageIdRetentionMs: 100 }));
    r.receive("t1", [edu("m1", { "@bob:b.example": { D: { n: 1 } } })], 0);
    r.receive("t2", [edu("m1", { "@bob:b.example": { D: { n: 2 } } })], 150);
    expireInbound(r.state, 160);
    r.receive("t3", [edu("m1", { "@bob:b.example": { D: { n: 3 } } })], 170);
    expect(r.log.map(([, , n]) => n)).toEqual([1, 2]);
  });
});

describe("inbound: order and storage failure (FED-20, FED-22)", () => {
  it("stores a transaction's messages in EDU order, in one call", () => {
    const r = new Receiver();
    const calls: number[] = [];
    const store: StoreDeliveries = (ds) => {
      calls.push(ds.length);
      return r.store(ds);
    };
    const edus = [3, 1, 2].map((n) => edu(`m${n}`, { "@bob:b.example": { D: { n } }, "@carol:b.example": { E: { n: -n } } }));
    receiveTransaction(r.state, { origin: A, txnId: "t1" as TxnId, body: { pdus: [], edus } }, 0, store);
    expect(calls).toEqual([6]);
    expect(r.log.map(([, , n]) => n)).toEqual([3, -3, 1, -1, 2, -2]);
  });

  it("answers storageFailed and remembers nothing when storing fails, so the retry delivers", () => {
    for (const failure of ["refuse", "throw"] as const) {
      const r = new Receiver();
      r.receive("t0", [edu("m0", { "@bob:b.example": { D: { n: 0 } } })]);
      const before = structuredClone(r.state);
      r.failNext = failure;
      const failed = r.receive("t1", [edu("m1", { "@bob:b.example": { D: { n: 1 } } })], 5);
      expect(failed.answer.outcome).toBe("storageFailed");
      expect(failed.deliveries).toEqual([]);
      expect(r.state).toEqual(before);
      expect(r.receive("t1", [edu("m1", { "@bob:b.example": { D: { n: 1 } } })], 6).answer).toEqual({ outcome: "accepted", replayed: false });
      expect(r.log.map(([, , n]) => n)).toEqual([0, 1]);
    }
  });

  it("does not call the store for a transaction with nothing to deliver, so a storage outage cannot fail it", () => {
    const r = new Receiver();
    r.failNext = "refuse";
    const result = r.receive("t1", [edu("m1", { "@carol:c.example": { D: { n: 1 } } })]);
    expect(result.answer).toEqual({ outcome: "accepted", replayed: false });
    expect(r.failNext).toBe("refuse");
  });

  it("planning changes nothing", () => {
    const r = new Receiver();
    const before = structuredClone(r.state);
    const plan = planTransaction(r.state, { origin: A, txnId: "t1" as TxnId, body: { edus: [edu("m1", { "@bob:b.example": { D: {} } })] } }, 0);
    expect(plan.kind).toBe("apply");
    expect(r.state).toEqual(before);
  });
});
