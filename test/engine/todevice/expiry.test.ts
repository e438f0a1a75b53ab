// Checks policy undelivered-expiry (TD-25) through the `expire` command: off by default, and
// with a TTL, pending and returned-but-unacknowledged messages older than it are dropped, the
// next expiry being that of the oldest message in any inbox.
import { describe, expect, test } from "vitest";
import { apply } from "../../../src/engine/homeserver.ts";
import { contents, TestServer } from "../session.ts";

describe("TD-25 undelivered-expiry", () => {
  test("none (default, TD-19): messages stay until acknowledged, however old", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, "m.x", "1", { [alice.userId]: { DEV1: { n: 1 } } });
    s.now += 365 * 24 * 3600 * 1000;
    expect(apply(s.hs, { type: "expire" }, s.now).outcome).toMatchObject({ messagesExpired: 0 });
    expect(contents(s.syncOk(alice).events)).toEqual([{ n: 1 }]);
  });

  test("a TTL drops messages accepted TTL ago or earlier, returned or not, and says when next", () => {
    const s = new TestServer({ undeliveredExpiryMs: 1_000, txnRetentionMs: 10_000 });
    const alice = s.register("alice");
    const start = s.now;
    s.send(alice, "m.x", "1", { [alice.userId]: { DEV1: { n: 1 } } });
    s.syncOk(alice); // returned, not acknowledged
    s.now += 500;
    s.send(alice, "m.x", "2", { [alice.userId]: { DEV1: { n: 2 } } });
    s.now = start + 1_000;
    expect(apply(s.hs, { type: "expire" }, s.now).outcome).toEqual({
      ok: true,
      txnsExpired: 0,
      messagesExpired: 1,
      nextExpiryAt: start + 1_500,
    });
    expect(contents(s.syncOk(alice).events)).toEqual([{ n: 2 }]);
  });

  test("the next expiry is the oldest pending message's, whichever inbox holds it", () => {
    const s = new TestServer({ undeliveredExpiryMs: 10_000, txnRetentionMs: 100_000 });
    const alice = s.register("alice");
    const bob = s.register("bob");
    const carol = s.register("carol");
    const start = s.now;
    s.send(carol, "m.x", "1", { [alice.userId]: { DEV1: { n: 1 } } });
    s.now = start + 1_000;
    s.send(carol, "m.x", "2", { [bob.userId]: { DEV1: { n: 2 } } });
    s.now = start + 2_000;
    s.send(carol, "m.x", "3", { [alice.userId]: { DEV1: { n: 3 } } });
    const nextExpiry = () => apply(s.hs, { type: "expire" }, s.now).outcome.nextExpiryAt;
    expect(nextExpiry()).toBe(start + 10_000);
    // Alice acknowledges her first message: her oldest is now younger than Bob's.
    s.syncOk(alice, "1");
    expect(nextExpiry()).toBe(start + 11_000);
    s.syncOk(bob, "2");
    expect(nextExpiry()).toBe(start + 12_000);
  });
});
