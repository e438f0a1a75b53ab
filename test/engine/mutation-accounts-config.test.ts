// Checks the account commands' remaining edges (usernames, token reuse, passwordless accounts,
// device names on re-login, logout and device deletion) with their Matrix errors, the time-driven
// `expire` command, and the policy configuration a homeserver accepts and keeps, with the
// reference defaults api/clauses.yaml documents (TD-2, TD-26, TD-42, TD-45, TD-56); assumes one
// server, hs.test, a clock the test sets, and the repository root as the working directory.
import { describe, expect, test } from "vitest";
import { loadCatalogue } from "../../scripts/clauses-catalogue.ts";
import { apply, createHomeserver, type HomeserverCommand } from "../../src/engine/homeserver.ts";
import { DEFAULT_POLICIES, type Policies, type PolicyOverrides, withPolicies } from "../../src/engine/policies.ts";
import type { AccessToken, DeviceId, ServerName } from "../../src/ids.ts";
import { TestServer } from "./session.ts";

const HOUR = 3_600_000;

/** A refusal with its errcode and status, a human-readable message and no effects. */
function expectRefused(s: TestServer, command: HomeserverCommand, errcode: string, status: number): void {
  const applied = apply(s.hs, command, s.now);
  expect(applied).toMatchObject({ outcome: { ok: false, error: { errcode, status, message: expect.stringMatching(/\S/) } }, effects: [] });
}

describe("accounts", () => {
  test("register: a localpart only of a-z 0-9 ._=-/+, a free name and a free token", () => {
    const s = new TestServer();
    s.register("alice");
    const reg = (username: string, accessToken: AccessToken = s.token()) =>
      ({ type: "register", username, deviceId: "D" as DeviceId, accessToken, password: "pw" }) as const;
    expectRefused(s, reg("alice!"), "M_INVALID_USERNAME", 400);
    expectRefused(s, reg("Bob"), "M_INVALID_USERNAME", 400);
    expectRefused(s, reg("alice"), "M_USER_IN_USE", 400);
    expectRefused(s, reg("bob", "tok1" as AccessToken), "M_INVALID_PARAM", 400);
    expect(apply(s.hs, reg("b.o_b=/+-9"), 0)).toMatchObject({ outcome: { ok: true }, effects: [] });
  });

  test("an account registered without a password cannot log in with any password", () => {
    const s = new TestServer();
    apply(s.hs, { type: "register", username: "carol", deviceId: "D" as DeviceId, accessToken: s.token() }, 0);
    for (const password of ["undefined", "", "pw"]) {
      expectRefused(s, { type: "login", user: "carol", password, deviceId: "E" as DeviceId, accessToken: s.token() }, "M_FORBIDDEN", 403);
    }
  });

  test("login: only this server's users, a free token; TD-42 a reused device id keeps or renames the device", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const login = (user: string, accessToken: AccessToken = s.token(), displayName?: string) =>
      ({ type: "login", user, password: "pw", deviceId: "DEV1" as DeviceId, accessToken, ...(displayName === undefined ? {} : { displayName }) }) as const;
    expectRefused(s, login("@alice:elsewhere.test"), "M_FORBIDDEN", 403);
    expectRefused(s, login("@"), "M_FORBIDDEN", 403);
    expectRefused(s, login("alice", alice.token), "M_INVALID_PARAM", 400);
    const renamed = apply(s.hs, login("alice", "t2" as AccessToken, "Laptop"), 0);
    expect(renamed).toMatchObject({ outcome: { ok: true, deviceId: "DEV1" }, effects: [] });
    apply(s.hs, login("@alice:hs.test", "t3" as AccessToken), 0);
    expect(apply(s.hs, { type: "listDevices", token: "t3" as AccessToken }, 0)).toEqual({
      outcome: { ok: true, devices: [{ deviceId: "DEV1", displayName: "Laptop" }] },
      effects: [],
    });
    expect(apply(s.hs, { type: "whoami", token: "t3" as AccessToken }, 0)).toEqual({ outcome: { ok: true, userId: alice.userId, deviceId: "DEV1" }, effects: [] });
  });

  test("TD-56 and device deletion: unknown tokens are 401, an unknown device 404, nothing happens", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    expectRefused(s, { type: "logout", token: "nope" as AccessToken }, "M_UNKNOWN_TOKEN", 401);
    expectRefused(s, { type: "deleteDevice", token: null, deviceId: "DEV1" as DeviceId }, "M_MISSING_TOKEN", 401);
    expectRefused(s, { type: "deleteDevice", token: alice.token, deviceId: "NOPE" as DeviceId }, "M_NOT_FOUND", 404);
    expectRefused(s, { type: "whoami", token: null }, "M_MISSING_TOKEN", 401);
  });

  test("PUSH-67: logging out stops the device's pusher, cancelling its armed back-off", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const body = { kind: "http", app_id: "app", pushkey: "k", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: "http://localhost/_matrix/push/v1/notify" } };
    apply(s.hs, { type: "setPusher", token: bob.token, body }, 0);
    const made = apply(s.hs, { type: "createRoom", token: alice.token, seed: "r", body: { invite: [bob.userId] } }, 0);
    const push = made.effects.find((e) => e.kind === "push.notify");
    if (push?.kind !== "push.notify") throw new Error("no push");
    apply(s.hs, { type: "pushResult", pusherId: push.pusherId, result: { ok: false, reason: "down" } }, 0);
    expect(apply(s.hs, { type: "logout", token: bob.token }, 0)).toEqual({ outcome: { ok: true }, effects: [{ kind: "timer.cancel", id: `push.backoff:${push.pusherId}` }] });
  });
});

describe("expire (TD-45 txn-retention, TD-25 undelivered-expiry)", () => {
  test("transaction ids are remembered 24 hours by default", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, "m.x", "t1", { [alice.userId]: { DEV1: { n: 1 } } });
    expect(apply(s.hs, { type: "expire" }, s.now + 24 * HOUR - 1)).toEqual({
      outcome: { ok: true, txnsExpired: 0, messagesExpired: 0, nextExpiryAt: s.now + 24 * HOUR },
      effects: [],
    });
    expect(apply(s.hs, { type: "expire" }, s.now + 24 * HOUR).outcome).toMatchObject({ txnsExpired: 1, nextExpiryAt: null });
  });

  test("nextExpiryAt is the earlier of the next transaction expiry and the oldest message's, or null", () => {
    const expireAt = (policies: Partial<Policies>, sendAt: number, at: number) => {
      const s = new TestServer(policies);
      const alice = s.register("alice");
      s.now = sendAt;
      s.send(alice, "m.x", "t1", { [alice.userId]: { DEV1: { n: 1 } } });
      return apply(s.hs, { type: "expire" }, at).outcome.nextExpiryAt;
    };
    expect(expireAt({ undeliveredExpiryMs: 5_000, txnRetentionMs: 2_000 }, 1_000, 1_500)).toBe(3_000);
    expect(expireAt({ undeliveredExpiryMs: 5_000, txnRetentionMs: 9_000 }, 1_000, 1_500)).toBe(6_000);
    expect(expireAt({ undeliveredExpiryMs: 5_000, txnRetentionMs: 1_000 }, 1_000, 2_500)).toBe(6_000);
    const idle = new TestServer({ undeliveredExpiryMs: 5_000 });
    expect(apply(idle.hs, { type: "expire" }, 10_000).outcome.nextExpiryAt).toBeNull();
  });
});

describe("policy configuration", () => {
  const make = (policies: PolicyOverrides) => createHomeserver({ serverName: "hs.test" as ServerName, policies });

  test("push and federation overrides are kept, beside the defaults of the rest of each group", () => {
    const hs = make({ push: { zeroCounts: "send" }, federation: { maxEdusPerTransaction: 7 } });
    expect(hs.policies.push).toMatchObject({ zeroCounts: "send", unreadCounts: "messages" });
    expect(hs.policies.federation).toMatchObject({ maxEdusPerTransaction: 7, spoofedSender: "drop" });
  });

  test("the smallest valid values are accepted and anything below is refused with a message", () => {
    expect(make({ federation: { maxEdusPerTransaction: 1 }, txnRetentionMs: 0, undeliveredExpiryMs: 0 }).policies).toMatchObject({ txnRetentionMs: 0, undeliveredExpiryMs: 0 });
    for (const bad of [{ federation: { maxEdusPerTransaction: 0 } }, { federation: { maxEdusPerTransaction: 1.5 } }, { txnRetentionMs: -1 }, { undeliveredExpiryMs: -1 }, { syncLimit: 0 }]) {
      expect(() => make(bad)).toThrowError(/\S/);
    }
  });

  test("withPolicies, which also checks the simulator's settings, refuses a transaction size outside 1 to 100 EDUs by itself (FED-8)", () => {
    for (const maxEdusPerTransaction of [0, -1, 1.5, 101, Number.NaN]) {
      expect(() => withPolicies({ federation: { maxEdusPerTransaction } })).toThrowError(/maxEdusPerTransaction must be an integer from 1 to 100/);
    }
    expect(withPolicies({ federation: { maxEdusPerTransaction: 1 } }).federation.maxEdusPerTransaction).toBe(1);
    expect(withPolicies({ federation: { maxEdusPerTransaction: 100 } }).federation.maxEdusPerTransaction).toBe(100);
  });

  test("withPolicies refuses a federation back-off that does not start above zero, shrinks, or has its cap below its start; the edges pass", () => {
    const backoff = (initialMs: number, multiplier: number, maxMs: number) => ({ federation: { backoff: { initialMs, multiplier, maxMs } } });
    for (const [initialMs, multiplier, maxMs] of [
      [0, 2, 100],
      [-1, 2, 100],
      [100, 0.99, 1000],
      [100, 2, 99],
      [Number.NaN, 2, 100],
      [100, Number.NaN, 1000],
    ] as const) {
      expect(() => withPolicies(backoff(initialMs, multiplier, maxMs)), `${initialMs}, ${multiplier}, ${maxMs}`).toThrowError(/invalid federation back-off .*initialMs > 0, maxMs >= initialMs, multiplier >= 1/);
    }
    expect(withPolicies(backoff(1, 1, 1)).federation.backoff).toEqual({ initialMs: 1, multiplier: 1, maxMs: 1 });
    expect(withPolicies(backoff(0.5, 1, 0.5)).federation.backoff.initialMs).toBe(0.5);
  });

  test("the send-to-device defaults are the reference defaults the clause catalogue documents", () => {
    // Catalogue policy name → the policy field and the value each catalogue keyword stands for.
    const fields: Record<string, { field: keyof Policies; values: Record<string, unknown> }> = {
      "unknown-recipients": { field: "unknownRecipients", values: { skip: "skip", store: "store" } },
      "wildcard-mixed": { field: "wildcardMixed", values: { "explicit-wins": "explicit-wins", literal: "literal", "expand-all": "expand-all" } },
      "device-deletion": { field: "deviceDeletion", values: { "purge-at-deletion": "purge-at-deletion", keep: "keep" } },
      "undelivered-expiry": { field: "undeliveredExpiryMs", values: { none: "none" } },
      "txn-body-mismatch": { field: "txnReuseDifferentBody", values: { replay: "replay", reject: "reject" } },
      "per-sync-limit": { field: "syncLimit", values: { "100": 100 } },
      "txn-retention": { field: "txnRetentionMs", values: { "24 h": 24 * HOUR } },
    };
    const catalogue = new Map(loadCatalogue("api/clauses.yaml").policies.map((p) => [p.name, p]));
    for (const [name, { field, values }] of Object.entries(fields)) {
      // A default opens with its keyword, ended by a colon, a comma or an explanation in brackets.
      const keyword = catalogue.get(name)?.default.split(/[:,(]/)[0]?.trim() ?? "";
      expect(keyword in values, `${name}: ${keyword}`).toBe(true);
      expect(DEFAULT_POLICIES[field], name).toBe(values[keyword]);
      expect(withPolicies()[field], name).toBe(values[keyword]);
    }
  });
});
