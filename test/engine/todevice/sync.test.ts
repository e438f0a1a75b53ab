// Checks the to_device part of /sync: acknowledgement by since, the per-sync limit and its
// next_batch, malformed and future since tokens; assumes one device following its own chain.
import { describe, expect, test } from "vitest";
import { apply } from "../../../src/engine/homeserver.ts";
import type { AccessToken } from "../../../src/ids.ts";
import { contents, TestServer } from "../session.ts";

function fill(s: TestServer, n: number) {
  const alice = s.register("alice");
  for (let i = 0; i < n; i++) s.send(alice, "m.test", `t${i}`, { [alice.userId]: { [alice.deviceId]: { i } } });
  return alice;
}

describe("syncToDevice", () => {
  test("TD-22, TD-23, TD-54: 150 pending give 100 then 50, the second answering at once", () => {
    const s = new TestServer();
    const alice = fill(s, 150);
    const first = s.syncOk(alice);
    expect(contents(first.events)).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));
    // next_batch sits at the last message returned, behind the stream head (150).
    expect(first.nextBatch).toBe("100");
    const second = s.syncOk(alice, first.nextBatch);
    expect(contents(second.events)).toEqual(Array.from({ length: 50 }, (_, i) => ({ i: 100 + i })));
    expect(second.nextBatch).toBe("150");
    expect(s.syncOk(alice, second.nextBatch).events).toEqual([]);
  });

  test("TD-23 (per-sync-limit): the limit is a policy", () => {
    const s = new TestServer({ syncLimit: 3 });
    const alice = fill(s, 7);
    const sizes: number[] = [];
    let since: string | undefined;
    for (let k = 0; k < 4; k++) {
      const r = s.syncOk(alice, since);
      sizes.push(r.events.length);
      since = r.nextBatch;
    }
    expect(sizes).toEqual([3, 3, 1, 0]);
  });

  test("TD-54: exactly `limit` pending gives next_batch at the head, not a needless extra round", () => {
    const s = new TestServer({ syncLimit: 5 });
    const alice = fill(s, 5);
    expect(s.syncOk(alice).nextBatch).toBe("5");
  });

  test("TD-52: a sync without since deletes nothing and lists the pending messages again", () => {
    const s = new TestServer();
    const alice = fill(s, 3);
    const a = s.syncOk(alice);
    expect(s.syncOk(alice)).toEqual(a);
  });

  test("TD-21, TD-53: since=T deletes up to T; an older since later returns only what is left", () => {
    const s = new TestServer({ syncLimit: 2 });
    const alice = fill(s, 5);
    const r1 = s.syncOk(alice); // positions 1, 2; next 2
    const r2 = s.syncOk(alice, r1.nextBatch); // acks 1, 2; returns 3, 4; next 4
    expect(contents(r2.events)).toEqual([{ i: 2 }, { i: 3 }]);
    // The response was lost: the client retries with the same since and sees 3, 4 again.
    expect(s.syncOk(alice, r1.nextBatch)).toEqual(r2);
    // An initial sync never brings back acknowledged messages (TD-53).
    expect(contents(s.syncOk(alice).events)).toEqual([{ i: 2 }, { i: 3 }]);
    expect(contents(s.syncOk(alice, "0").events)).toEqual([{ i: 2 }, { i: 3 }]);
  });

  test("TD-21: a malformed since is 400 M_INVALID_PARAM and deletes nothing", () => {
    const s = new TestServer();
    const alice = fill(s, 2);
    for (const since of ["", "abc", "-1", "1.5", "s72_1", "1".repeat(16)]) {
      expect(s.sync(alice, since)).toMatchObject({ ok: false, error: { errcode: "M_INVALID_PARAM", status: 400, message: expect.stringMatching(/\S/) } });
    }
    expect(s.syncOk(alice).events).toHaveLength(2);
  });

  test("TD-21: a since from the future is clamped to the stream head, and next_batch is the head", () => {
    const s = new TestServer();
    const alice = fill(s, 2);
    const r = s.syncOk(alice, "999999");
    // Clamped: everything up to the head (2) is acknowledged, and the chain resumes from the
    // head rather than from the client's impossible token, so later messages still arrive.
    expect(r).toEqual({ ok: true, nextBatch: "2", events: [] });
    s.send(alice, "m.test", "later", { [alice.userId]: { [alice.deviceId]: { i: "later" } } });
    expect(contents(s.syncOk(alice, r.nextBatch).events)).toEqual([{ i: "later" }]);
  });

  test("TD-56: syncing needs a known access token", () => {
    const s = new TestServer();
    fill(s, 1);
    const sync = (token: AccessToken | null) => apply(s.hs, { type: "syncToDevice", token }, s.now).outcome;
    expect(sync(null)).toMatchObject({ ok: false, error: { errcode: "M_MISSING_TOKEN", status: 401 } });
    expect(sync("nope" as AccessToken)).toMatchObject({ ok: false, error: { errcode: "M_UNKNOWN_TOKEN", status: 401 } });
  });

  test("TD-20, TD-51: a device sees all its messages, from every sender, in arrival order, unfiltered", () => {
    const s = new TestServer();
    const bob = s.register("bob");
    const alice = s.register("alice");
    const carol = s.register("carol");
    s.send(alice, "m.a", "1", { [bob.userId]: { [bob.deviceId]: { n: 1 } } });
    s.send(carol, "m.c", "1", { [bob.userId]: { [bob.deviceId]: { n: 2 } } });
    s.send(alice, "m.a", "2", { [bob.userId]: { [bob.deviceId]: { n: 3 } } });
    expect(s.syncOk(bob).events.map((e) => [e.sender, e.type, e.content])).toEqual([
      [alice.userId, "m.a", { n: 1 }],
      [carol.userId, "m.c", { n: 2 }],
      [alice.userId, "m.a", { n: 3 }],
    ]);
  });
});
