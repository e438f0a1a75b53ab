/**
 * The in-process reference homeserver: the engine, a virtual clock, and the engine's effects
 * executed the way the homeserver process executes them, but in virtual time and without
 * sockets. Timers go on the clock's agenda; a `push.notify` is handed to an in-process gateway
 * (the checker's recording gateway) and its answer comes back as `pushResult`, at once or, for a
 * gateway that hangs up, later; a `federation.send` goes to a peer host on the same clock and the
 * peer's answer comes back as `federationResult`. Wake-ups are counted so a long-poll can wait.
 */
import type { Json } from "../../canonical-json.ts";
import type { Effect } from "../../engine/effects.ts";
import { type AnyOutcome, apply, createHomeserver, type Homeserver, type HomeserverCommand } from "../../engine/homeserver.ts";
import type { PolicyOverrides } from "../../engine/policies.ts";
import type { ServerName, TxnId } from "../../ids.ts";
import type { VirtualClock } from "../clock.ts";
import { Transcript } from "../transcript.ts";
import { type EngineDriver, engineDriver } from "./engine.ts";

/** What a gateway did with one POST: answered (JSON, or text that is not JSON), or hung up. */
export type PushReply =
  | { readonly kind: "answer"; readonly status: number; readonly body: unknown }
  | { readonly kind: "text"; readonly status: number; readonly text: string }
  | { readonly kind: "hang-up"; readonly afterMs: number };

/** An in-process gateway: it sees the POST at the clock's current time. */
export type PushEndpoint = (url: string, body: unknown) => PushReply;

type PushResult = { ok: true; status: number; rejected: string[] } | { ok: false; reason: string };

/** PUSH-26: what the homeserver process makes of a reply; only a JSON body counts as an answer. */
function pushResultOf(reply: PushReply): PushResult {
  if (reply.kind === "hang-up") return { ok: false, reason: "connection closed without an answer" };
  if (reply.kind === "text") return { ok: false, reason: `HTTP ${reply.status}, body is not JSON` };
  const rejected = (reply.body as { rejected?: unknown } | null)?.rejected;
  return { ok: true, status: reply.status, rejected: Array.isArray(rejected) ? rejected.filter((k): k is string => typeof k === "string") : [] };
}

export class EngineHost {
  readonly hs: Homeserver;
  pushEndpoint: PushEndpoint | null = null;
  readonly peers = new Map<string, EngineHost>();
  /** Transactions sent to peers, oldest first, so the reference can replay one as a tap does. */
  readonly sent: { readonly destination: string; readonly txnId: TxnId; readonly body: Json }[] = [];
  private readonly wakes = new Map<string, number>();

  constructor(
    readonly clock: VirtualClock,
    serverName: string,
    policies: PolicyOverrides = {},
  ) {
    this.hs = createHomeserver({ serverName: serverName as ServerName, policies, epoch: "ref" });
  }

  get serverName(): string {
    return this.hs.serverName;
  }

  async apply(command: HomeserverCommand): Promise<AnyOutcome> {
    const applied = apply(this.hs, command, this.clock.now());
    this.execute(applied.effects);
    return applied.outcome;
  }

  wakeCount(userId: string, deviceId: string): number {
    return this.wakes.get(`${userId}|${deviceId}`) ?? 0;
  }

  driver(transcript: Transcript = new Transcript()): EngineDriver {
    return engineDriver({
      serverName: this.serverName,
      apply: (c) => this.apply(c),
      clock: this.clock,
      transcript,
      wakeCount: (u, d) => this.wakeCount(u, d),
    });
  }

  private timerKey(id: string): string {
    return `${this.serverName} ${id}`;
  }

  private execute(effects: readonly Effect[]): void {
    const now = this.clock.now();
    for (const effect of effects) {
      switch (effect.kind) {
        case "wake": {
          const key = `${effect.userId}|${effect.deviceId}`;
          this.wakes.set(key, (this.wakes.get(key) ?? 0) + 1);
          break;
        }
        case "timer":
          this.clock.schedule(effect.at, async () => void (await this.apply({ type: "timer", id: effect.id })), this.timerKey(effect.id));
          break;
        case "timer.cancel":
          this.clock.cancel(this.timerKey(effect.id));
          break;
        case "push.notify":
          this.notify(effect.pusherId, effect.url, effect.body, now);
          break;
        case "federation.send":
          this.clock.schedule(now, () => this.sendTransaction(effect.destination, effect.txnId, effect.body as unknown as Json));
          break;
        default:
          break;
      }
    }
  }

  private notify(pusherId: string, url: string, body: Json, now: number): void {
    const reply: PushReply = this.pushEndpoint?.(url, body) ?? { kind: "hang-up", afterMs: 10_000 };
    const at = reply.kind === "hang-up" ? now + reply.afterMs : now;
    this.clock.schedule(at, async () => void (await this.apply({ type: "pushResult", pusherId, result: pushResultOf(reply) })));
  }

  /** The latest transaction sent to `destination`, received by it once more; null if none. */
  async replayLast(destination: string): Promise<{ status: number; body: unknown } | null> {
    const last = [...this.sent].reverse().find((t) => t.destination === destination);
    const peer = this.peers.get(destination);
    if (last === undefined || peer === undefined) return null;
    const o = await peer.apply({ type: "receiveTransaction", origin: this.hs.serverName, txnId: last.txnId, body: last.body });
    if (o.ok && "body" in o) return { status: 200, body: o.body };
    return "status" in o ? { status: Number(o.status), body: { errcode: "errcode" in o ? o.errcode : "M_UNKNOWN" } } : { status: 500, body: null };
  }

  private async sendTransaction(destination: string, txnId: TxnId, body: Json): Promise<void> {
    const peer = this.peers.get(destination);
    const origin = this.hs.serverName;
    let result: { ok: true } | { ok: false; status?: number; reason: string };
    if (peer === undefined) result = { ok: false, reason: `no route to ${destination}` };
    else {
      this.sent.push({ destination, txnId, body });
      const o = await peer.apply({ type: "receiveTransaction", origin, txnId, body });
      result = o.ok ? { ok: true } : { ok: false, status: "status" in o ? Number(o.status) : 500, reason: "refused" };
    }
    await this.apply({ type: "federationResult", destination: destination as ServerName, txnId, result });
  }
}
