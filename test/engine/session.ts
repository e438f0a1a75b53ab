/**
 * A small client over one engine for unit tests: register, log in, send, sync, with fresh ids
 * minted from a counter (as a driver would) and a manual clock.
 */
import { expect } from "vitest";
import type { Json } from "../../src/canonical-json.ts";
import type { Effect } from "../../src/engine/effects.ts";
import { type AnyOutcome, apply, createHomeserver, type Homeserver, type HomeserverCommand } from "../../src/engine/homeserver.ts";
import type { Policies } from "../../src/engine/policies.ts";
import type { AccessToken, DeviceId, ServerName, TxnId, UserId } from "../../src/ids.ts";
import type { SyncResult, ToDeviceEvent } from "../../src/engine/commands.ts";

export interface Client {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  token: AccessToken;
}

export class TestServer {
  readonly hs: Homeserver;
  now = 1_000;
  private fresh = 0;

  constructor(policies: Partial<Policies> = {}, serverName = "hs.test") {
    this.hs = createHomeserver({ serverName: serverName as ServerName, policies });
  }

  token(): AccessToken {
    return `tok${++this.fresh}` as AccessToken;
  }

  register(username: string, deviceId = "DEV1"): Client {
    const out = apply(
      this.hs,
      { type: "register", username, password: "pw", deviceId: deviceId as DeviceId, accessToken: this.token() },
      this.now,
    ).outcome;
    if (!out.ok) throw new Error(`register ${username}: ${out.error.errcode}`);
    return { userId: out.userId, deviceId: out.deviceId, token: out.accessToken };
  }

  login(user: UserId, deviceId: string): Client {
    const cmd = { type: "login", user, password: "pw", deviceId: deviceId as DeviceId, accessToken: this.token() } as const;
    const out = apply(this.hs, cmd, this.now).outcome;
    if (!out.ok) throw new Error(`login ${user}: ${out.error.errcode}`);
    return { userId: out.userId, deviceId: out.deviceId, token: out.accessToken };
  }

  send(from: Client, eventType: string, txnId: string, messages: Json) {
    const cmd = { type: "sendToDevice", token: from.token, eventType, txnId: txnId as TxnId, body: { messages } } as const;
    return apply(this.hs, cmd, this.now);
  }

  sync(client: Client, since?: string) {
    const cmd = since === undefined
      ? ({ type: "syncToDevice", token: client.token } as const)
      : ({ type: "syncToDevice", token: client.token, since } as const);
    return apply(this.hs, cmd, this.now).outcome;
  }

  /** A sync that must succeed. */
  syncOk(client: Client, since?: string): SyncResult {
    const out = this.sync(client, since);
    if (!out.ok) throw new Error(`sync: ${out.error.errcode}`);
    return out;
  }
}

export function contents(events: readonly ToDeviceEvent[]): Json[] {
  return events.map((e) => e.content);
}

export function expectOk(outcome: { ok: boolean }): void {
  expect(outcome).toMatchObject({ ok: true });
}

/** Any command, applied at the server's clock. */
export function applyCommand(s: TestServer, command: HomeserverCommand): { outcome: AnyOutcome; effects: Effect[] } {
  return apply(s.hs, command, s.now);
}

/** The body of a successful room or push command; throws on anything else. */
export function bodyOf(s: TestServer, command: HomeserverCommand): Json {
  const out = applyCommand(s, command).outcome;
  if (!out.ok || !("body" in out)) throw new Error(`${command.type}: ${JSON.stringify(out)}`);
  return out.body as Json;
}

/** A refusal in the engine's error shape, with a human-readable message, and no effects. */
export function expectRefused(s: TestServer, command: HomeserverCommand, errcode: string, status: number): void {
  expect(applyCommand(s, command)).toMatchObject({ outcome: { ok: false, error: { errcode, status, message: expect.stringMatching(/\S/) } }, effects: [] });
}
