// Checks policy undelivered-expiry (TD-25) through the `expire` command: off by default, and
// with a TTL, pending and returned-but-unacknowledged messages older than it are dropped.
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
});
