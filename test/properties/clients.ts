/**
 * Random client populations for engine-level properties: generated ops (sends to explicit
 * devices, `*`, unknown devices, oversized contents; syncs with followed, stale, forged and
 * future since tokens; deletions, logouts, logins; clock advances with `expire`) and random
 * policies, turned into engine commands by a set of clients.
 */
import fc from "fast-check";
import type { Command } from "../../src/engine/commands.ts";
import type { Applied } from "../../src/engine/homeserver.ts";
import type { Policies } from "../../src/engine/policies.ts";
import type { AccessToken, DeviceId, TxnId, UserId } from "../../src/ids.ts";
import { DEVICE_NAMES, type Engine, USERS } from "./model/world.ts";

type Since = "none" | "last" | "older" | "future" | "forged";
export type Op =
  | { kind: "send"; from: number; to: { user: number; device: number | "*" | "unknown" }[]; oversize: boolean }
  | { kind: "sync"; device: number; since: Since; forged: number }
  | { kind: "delete"; device: number; logout: boolean }
  | { kind: "login"; user: number; device: number }
  | { kind: "expire"; advance: number };

export const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      from: fc.nat(7),
      to: fc.array(fc.record({ user: fc.nat(1), device: fc.oneof(fc.nat(2), fc.constantFrom("*" as const, "unknown" as const)) }), {
        minLength: 1,
        maxLength: 3,
      }),
      oversize: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("sync" as const),
      device: fc.nat(7),
      since: fc.constantFrom<Since>("none", "last", "last", "last", "older", "future", "forged"),
      forged: fc.nat(40),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), device: fc.nat(7), logout: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("login" as const), user: fc.nat(1), device: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const), advance: fc.nat(600) }) },
);

export const policies: fc.Arbitrary<Partial<Policies>> = fc.record({
  syncLimit: fc.integer({ min: 1, max: 4 }),
  deviceDeletion: fc.constantFrom("purge-at-deletion" as const, "keep" as const),
  unknownRecipients: fc.constantFrom("skip" as const, "store" as const),
  wildcardMixed: fc.constantFrom("explicit-wins" as const, "literal" as const, "expand-all" as const),
  undeliveredExpiryMs: fc.constantFrom("none" as const, 100, 400),
});

interface Session {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  token: AccessToken;
  /** Every next_batch this device received, oldest first. */
  readonly batches: string[];
}

/** A population of clients turning generated ops into engine commands, through `stepper`. */
export class Clients {
  live: Session[] = [];
  now = 0;
  private fresh = 0;

  constructor(
    private readonly engine: Engine,
    private readonly stepper: (command: Command, now: number) => Applied,
  ) {
    for (const userId of USERS) {
      const username = userId.slice(1, userId.indexOf(":"));
      this.step({ type: "register", username, password: "pw", deviceId: "D0" as DeviceId, accessToken: this.adopt(userId, "D0") });
      this.login(userId, "D1");
    }
  }

  private step(command: Command) {
    return this.stepper(command, this.now);
  }

  private adopt(userId: UserId, deviceId: string): AccessToken {
    const token = `t${this.fresh++}` as AccessToken;
    const existing = this.live.find((s) => s.userId === userId && s.deviceId === deviceId);
    if (existing !== undefined) existing.token = token;
    else this.live.push({ userId, deviceId: deviceId as DeviceId, token, batches: [] });
    return token;
  }

  private login(userId: UserId, deviceId: string): void {
    const accessToken = this.adopt(userId, deviceId);
    this.step({ type: "login", user: userId, password: "pw", deviceId: deviceId as DeviceId, accessToken });
  }

  private session(index: number): Session | undefined {
    return this.live.length === 0 ? undefined : this.live[index % this.live.length];
  }

  apply(o: Op): void {
    switch (o.kind) {
      case "send":
        this.send(o);
        return;
      case "sync":
        this.sync(o);
        return;
      case "delete": {
        const s = this.session(o.device);
        if (s === undefined) return;
        this.step(o.logout ? { type: "logout", token: s.token } : { type: "deleteDevice", token: s.token, deviceId: s.deviceId });
        this.live = this.live.filter((x) => x !== s);
        return;
      }
      case "login":
        this.login(USERS[o.user] as UserId, DEVICE_NAMES[o.device] as string);
        return;
      case "expire":
        this.now += o.advance;
        this.step({ type: "expire" });
    }
  }

  private send(o: Extract<Op, { kind: "send" }>): void {
    const from = this.session(o.from);
    if (from === undefined) return;
    const messages: Record<string, Record<string, { id: number; pad?: string }>> = {};
    for (const t of o.to) {
      const user = USERS[t.user] as string;
      const device = t.device === "*" ? "*" : t.device === "unknown" ? "NOPE" : (DEVICE_NAMES[t.device] as string);
      const id = this.fresh++;
      messages[user] = { ...messages[user], [device]: o.oversize ? { id, pad: "x".repeat(70_000) } : { id } };
    }
    const txnId = `x${this.fresh++}` as TxnId;
    this.step({ type: "sendToDevice", token: from.token, eventType: "m.x", txnId, body: { messages } });
  }

  private sync(o: Extract<Op, { kind: "sync" }>): void {
    const s = this.session(o.device);
    if (s === undefined) return;
    const since = this.sinceFor(o, s);
    const command: Command = since === undefined ? { type: "syncToDevice", token: s.token } : { type: "syncToDevice", token: s.token, since };
    const out = this.step(command).outcome;
    if (!out.ok || !("nextBatch" in out)) throw new Error(`sync failed: ${JSON.stringify(out)}`);
    s.batches.push(out.nextBatch);
  }

  private sinceFor(o: Extract<Op, { kind: "sync" }>, s: Session): string | undefined {
    const head = this.engine.hs.state.todevice.position;
    switch (o.since) {
      case "none":
        return undefined;
      case "last":
        return s.batches[s.batches.length - 1];
      case "older":
        return s.batches[o.forged % Math.max(1, s.batches.length)];
      case "future":
        return String(head + 1 + o.forged);
      case "forged":
        return String(o.forged % (head + 1));
    }
  }
}

export const scenario = fc.record({ policies, ops: fc.array(op, { maxLength: 40 }) });
