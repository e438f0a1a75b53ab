// Checks the outbound federation wrapper command by command (FED-1, FED-3, FED-8, FED-12, FED-21):
// sends go out at once, one transaction in flight, the same transaction is retried after a
// failure with back-off 10 min doubling to 1 day, inbound traffic wakes a backed-off destination,
// and stored state resumes. Assumes the driver reports exactly one result per send.
import { describe, expect, it } from "vitest";
import {
  createDestinations,
  type DestinationsCommand,
  type DestinationsEffect,
  type DestinationsState,
  destinationState,
  resumeDestinations,
  stepDestinations,
} from "../../../src/engine/federation/destinations.ts";
import type { ServerName, TxnId, UserId } from "../../../src/ids.ts";

const A = "a.example" as ServerName;
const B = "b.example" as ServerName;
const MIN = 60_000;

class World {
  readonly state: DestinationsState;
  private n = 0;
  readonly freshId = () => `id${++this.n}`;
  constructor(state: DestinationsState = createDestinations({ origin: A })) {
    this.state = state;
  }
  step(command: DestinationsCommand, now: number) {
    return stepDestinations(this.state, command, now, this.freshId);
  }
  send(messages: Record<string, Record<string, { n: number }>>, now = 0) {
    const command = { kind: "federation.enqueue", destination: B, sender: "@alice:a.example" as UserId, eventType: "m.test", messages } as const;
    return this.step(command, now);
  }
  result(txnId: TxnId, ok: boolean, now: number) {
    const result = ok ? ({ ok: true } as const) : ({ ok: false, status: 502, reason: "bad gateway" } as const);
    return this.step({ kind: "federationResult", destination: B, txnId, result }, now);
  }
}

function sends(effects: readonly DestinationsEffect[]) {
  return effects.flatMap((e) => (e.kind === "federation.send" ? [e] : []));
}

function timers(effects: readonly DestinationsEffect[]) {
  return effects.flatMap((e) => (e.kind === "timer" ? [e] : []));
}

function timerOf(effects: readonly DestinationsEffect[]) {
  const [timer, ...rest] = timers(effects);
  expect(rest).toEqual([]);
  if (timer === undefined) throw new Error("expected a timer effect");
  return timer;
}

function onlySend(effects: readonly DestinationsEffect[]) {
  const [send, ...rest] = sends(effects);
  expect(rest).toEqual([]);
  if (send === undefined) throw new Error("expected a federation.send effect");
  return send;
}

describe("destinations: sending", () => {
  it("sends at once to an idle destination, with origin, timestamp, no PDUs and the EDUs (FED-1, FED-3, FED-12)", () => {
    const w = new World();
    const step = w.send({ "@bob:b.example": { D1: { n: 1 } } }, 1234);
    expect(step.result).toEqual({ outcome: "enqueued", edus: 1 });
    const send = onlySend(step.effects);
    expect(timers(step.effects)).toEqual([]);
    expect(send).toEqual({
      kind: "federation.send",
      destination: B,
      txnId: "id2",
      body: {
        origin: A,
        origin_server_ts: 1234,
        pdus: [],
        edus: [{ edu_type: "m.direct_to_device", content: { sender: "@alice:a.example", type: "m.test", message_id: "id1", messages: { "@bob:b.example": { D1: { n: 1 } } } } }],
      },
    });
    expect(destinationState(w.state, B)).toBe("sending");
  });

  it("keeps one transaction in flight; after its 200 the queued EDUs go out together, then idle (FED-8, FED-21)", () => {
    const w = new World(createDestinations({ origin: A, maxEdusPerTransaction: 2 }));
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    for (const n of [2, 3, 4]) expect(w.send({ "@bob:b.example": { D1: { n } } }).effects).toEqual([]);
    const ack = w.result(first.txnId, true, 5);
    expect(ack.result).toEqual({ outcome: "acknowledged", removed: 1 });
    const second = onlySend(ack.effects);
    expect(second.body.edus.map((e) => e.content.messages["@bob:b.example"]?.D1)).toEqual([{ n: 2 }, { n: 3 }]);
    const third = onlySend(w.result(second.txnId, true, 6).effects);
    expect(third.body.edus).toHaveLength(1);
    expect(w.result(third.txnId, true, 7).effects).toEqual([]);
    expect(destinationState(w.state, B)).toBe("idle");
    expect(w.state.destinations).toEqual({});
    expect(w.state.outbox.queues).toEqual({});
  });

  it("ignores results for transactions not in flight (late duplicates)", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    expect(w.result("other" as TxnId, true, 1)).toEqual({ result: { outcome: "ignored" }, effects: [] });
    w.result(first.txnId, true, 2);
    expect(w.result(first.txnId, true, 3)).toEqual({ result: { outcome: "ignored" }, effects: [] });
  });

  it("sends nothing for a request whose users have no devices", () => {
    expect(new World().send({ "@bob:b.example": {} })).toEqual({ result: { outcome: "nothingToSend" }, effects: [] });
  });
});

describe("destinations: retry (FED-21, policy federation-backoff)", () => {
  it("retries the same transaction after back-off: 10 min, doubling, capped at 1 day", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const failed = w.result(first.txnId, false, now);
      expect(sends(failed.effects)).toEqual([]);
      const timer = timerOf(failed.effects);
      delays.push(timer.at - now);
      now = timer.at;
      expect(onlySend(w.step({ kind: "timer", id: timer.id }, now).effects)).toEqual(first);
    }
    expect(delays.map((d) => d / MIN)).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);
  });

  it("does not shorten a back-off for new messages; they follow the retried transaction", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    const timer = timerOf(w.result(first.txnId, false, 0).effects);
    expect(w.send({ "@bob:b.example": { D1: { n: 2 } } }, 1).effects).toEqual([]);
    expect(destinationState(w.state, B)).toBe("backingOff");
    const retried = onlySend(w.step({ kind: "timer", id: timer.id }, 10 * MIN).effects);
    expect(retried).toEqual(first);
    const next = onlySend(w.result(first.txnId, true, 10 * MIN + 1).effects);
    expect(next.body.edus[0]?.content.messages["@bob:b.example"]).toEqual({ D1: { n: 2 } });
  });

  it("wakes at once on inbound traffic from the destination and resets the back-off; the old timer is then ignored", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    const t1 = timerOf(w.result(first.txnId, false, 0).effects);
    onlySend(w.step({ kind: "timer", id: t1.id }, 10 * MIN).effects);
    const t2 = timerOf(w.result(first.txnId, false, 10 * MIN).effects);
    expect(t2.at - 10 * MIN).toBe(20 * MIN);
    const woken = w.step({ kind: "inboundFrom", origin: B }, 11 * MIN);
    expect(woken.result).toEqual({ outcome: "woken" });
    expect(onlySend(woken.effects)).toEqual(first);
    expect(w.step({ kind: "timer", id: t2.id }, 30 * MIN)).toEqual({ result: { outcome: "ignored" }, effects: [] });
    const t3 = timerOf(w.result(first.txnId, false, 12 * MIN).effects);
    expect(t3.at - 12 * MIN).toBe(10 * MIN);
  });

  it("ignores inbound traffic from a destination that is not backing off", () => {
    const w = new World();
    expect(w.step({ kind: "inboundFrom", origin: B }, 0)).toEqual({ result: { outcome: "ignored" }, effects: [] });
    w.send({ "@bob:b.example": { D1: { n: 1 } } });
    expect(w.step({ kind: "inboundFrom", origin: B }, 0)).toEqual({ result: { outcome: "ignored" }, effects: [] });
  });

  it("retries a destination whose server name carries a port on its own timer, and ignores timers it did not arm", () => {
    const w = new World();
    const port = "b.example:8448" as ServerName;
    const command = { kind: "federation.enqueue", destination: port, sender: "@alice:a.example" as UserId, eventType: "m.test", messages: { "@bob:b.example:8448": { D1: { n: 1 } } } } as const;
    const first = onlySend(w.step(command, 0).effects);
    const failed = w.step({ kind: "federationResult", destination: port, txnId: first.txnId, result: { ok: false, reason: "down" } }, 0);
    const timer = timerOf(failed.effects);
    for (const id of ["retry", `${timer.id}x`, timer.id.replace(port, "b.example")]) {
      expect(w.step({ kind: "timer", id }, timer.at)).toEqual({ result: { outcome: "ignored" }, effects: [] });
    }
    const retried = w.step({ kind: "timer", id: timer.id }, timer.at);
    expect(retried.result).toEqual({ outcome: "retrying" });
    expect(onlySend(retried.effects)).toEqual(first);
  });

  it("accepts a late 200 for the transaction in flight while backing off", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    const timer = timerOf(w.result(first.txnId, false, 0).effects);
    expect(w.result(first.txnId, true, 1)).toEqual({ result: { outcome: "acknowledged", removed: 1 }, effects: [] });
    expect(destinationState(w.state, B)).toBe("idle");
    expect(w.step({ kind: "timer", id: timer.id }, 10 * MIN).result).toEqual({ outcome: "ignored" });
  });
});

describe("destinations: durable state", () => {
  it("survives a JSON round trip and resumes the send in flight and the armed timer", () => {
    const w = new World();
    const first = onlySend(w.send({ "@bob:b.example": { D1: { n: 1 } } }).effects);
    w.send({ "@bob:b.example": { D2: { n: 2 } } });
    const restored = JSON.parse(JSON.stringify(w.state)) as DestinationsState;
    expect(resumeDestinations(restored)).toEqual([first]);
    const timer = timerOf(w.result(first.txnId, false, 0).effects);
    const again = JSON.parse(JSON.stringify(w.state)) as DestinationsState;
    expect(resumeDestinations(again)).toEqual([timer]);
    const resumed = new World(again);
    expect(onlySend(resumed.step({ kind: "timer", id: timer.id }, 10 * MIN).effects)).toEqual(first);
  });
});
