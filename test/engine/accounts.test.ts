// Checks accounts, devices and tokens as the engine answers them (register, login with and
// without a reused device id, logout, whoami, devices, device deletion), and the device list of
// a user with no account; assumes fresh tokens come from the driver.
import { describe, expect, test } from "vitest";
import { createAccounts, listDevices, removeDevice } from "../../src/engine/accounts.ts";
import { apply } from "../../src/engine/homeserver.ts";
import type { AccessToken, DeviceId, UserId } from "../../src/ids.ts";
import { TestServer } from "./session.ts";

describe("accounts", () => {
  test("register answers the session the command named", () => {
    const s = new TestServer();
    const cmd = { type: "register", username: "alice", deviceId: "D" as DeviceId, accessToken: "t" as AccessToken, displayName: "Phone" } as const;
    expect(apply(s.hs, cmd, 0).outcome).toEqual({ ok: true, userId: "@alice:hs.test", deviceId: "D", accessToken: "t" });
    expect(apply(s.hs, { type: "listDevices", token: "t" as AccessToken }, 0).outcome).toEqual({
      ok: true,
      devices: [{ deviceId: "D", displayName: "Phone" }],
    });
  });

  test("register refuses taken and invalid usernames", () => {
    const s = new TestServer();
    s.register("alice");
    const reg = (username: string) =>
      apply(s.hs, { type: "register", username, deviceId: "D" as DeviceId, accessToken: s.token() }, 0).outcome;
    expect(reg("alice")).toMatchObject({ ok: false, error: { errcode: "M_USER_IN_USE", status: 400 } });
    for (const bad of ["Alice", "al ice", "", "a:b", "é", "x".repeat(300)]) {
      expect(reg(bad)).toMatchObject({ ok: false, error: { errcode: "M_INVALID_USERNAME" } });
    }
  });

  test("login by localpart or user id; a wrong password or foreign user is M_FORBIDDEN", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const login = (user: string, password: string) =>
      apply(s.hs, { type: "login", user, password, deviceId: "N" as DeviceId, accessToken: s.token() }, 0).outcome;
    expect(login("alice", "pw")).toMatchObject({ ok: true, userId: alice.userId });
    expect(login("@alice:hs.test", "pw")).toMatchObject({ ok: true, userId: alice.userId });
    expect(login("alice", "wrong")).toMatchObject({ ok: false, error: { errcode: "M_FORBIDDEN", status: 403 } });
    expect(login("@alice:other.test", "pw")).toMatchObject({ ok: false, error: { errcode: "M_FORBIDDEN" } });
    expect(login("nobody", "pw")).toMatchObject({ ok: false, error: { errcode: "M_FORBIDDEN" } });
  });

  test("an account registered without a password cannot log in with one", () => {
    const s = new TestServer();
    apply(s.hs, { type: "register", username: "bot", deviceId: "D" as DeviceId, accessToken: s.token() }, 0);
    const out = apply(s.hs, { type: "login", user: "bot", password: "", deviceId: "E" as DeviceId, accessToken: s.token() }, 0);
    expect(out.outcome).toMatchObject({ ok: false, error: { errcode: "M_FORBIDDEN" } });
  });

  test("TD-42: login naming an existing device keeps it, replacing its old token", () => {
    const s = new TestServer();
    const alice = s.register("alice", "D");
    const again = s.login(alice.userId, "D");
    const whoami = (token: AccessToken) => apply(s.hs, { type: "whoami", token }, 0).outcome;
    expect(whoami(alice.token)).toMatchObject({ ok: false, error: { errcode: "M_UNKNOWN_TOKEN" } });
    expect(whoami(again.token)).toEqual({ ok: true, userId: alice.userId, deviceId: "D" });
    expect(apply(s.hs, { type: "listDevices", token: again.token }, 0).outcome).toMatchObject({ devices: [{ deviceId: "D" }] });
  });

  test("a token already bound is refused rather than silently shared", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const out = apply(s.hs, { type: "login", user: "alice", password: "pw", deviceId: "E" as DeviceId, accessToken: alice.token }, 0);
    expect(out.outcome).toMatchObject({ ok: false, error: { errcode: "M_INVALID_PARAM" } });
  });

  test("TD-56: logout and deleteDevice need a known token; logout deletes the device", () => {
    const s = new TestServer();
    const alice = s.register("alice", "D");
    const second = s.login(alice.userId, "E");
    expect(apply(s.hs, { type: "logout", token: null }, 0).outcome).toMatchObject({ error: { errcode: "M_MISSING_TOKEN" } });
    expect(apply(s.hs, { type: "logout", token: alice.token }, 0).outcome).toEqual({ ok: true });
    expect(apply(s.hs, { type: "whoami", token: alice.token }, 0).outcome).toMatchObject({ error: { errcode: "M_UNKNOWN_TOKEN" } });
    expect(apply(s.hs, { type: "listDevices", token: second.token }, 0).outcome).toEqual({
      ok: true,
      devices: [{ deviceId: "E", displayName: null }],
    });
  });

  test("deleteDevice removes the user's own device only; an unknown one is M_NOT_FOUND", () => {
    const s = new TestServer();
    const alice = s.register("alice", "D");
    const bob = s.register("bob", "B");
    const del = (deviceId: string) => apply(s.hs, { type: "deleteDevice", token: alice.token, deviceId: deviceId as DeviceId }, 0).outcome;
    expect(del("B")).toMatchObject({ ok: false, error: { errcode: "M_NOT_FOUND", status: 404 } });
    expect(apply(s.hs, { type: "whoami", token: bob.token }, 0).outcome).toMatchObject({ ok: true });
    expect(del("D")).toEqual({ ok: true });
    expect(apply(s.hs, { type: "whoami", token: alice.token }, 0).outcome).toMatchObject({ ok: false });
  });

  test("a user without an account has no devices to list or remove", () => {
    const s = new TestServer();
    s.register("alice");
    const ghost = "@ghost:hs.test" as UserId;
    expect(listDevices(s.hs.state.accounts, ghost)).toEqual([]);
    expect(removeDevice(s.hs.state.accounts, ghost, "DEV1" as DeviceId)).toBe(false);
    expect(listDevices(createAccounts(), ghost)).toEqual([]);
  });
});
