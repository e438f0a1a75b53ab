/**
 * A deterministic driver for the gateway engine, for tests: it keeps a virtual clock, remembers
 * the timers and provider calls the engine asked for, and records every effect in order. It holds
 * no business rule; it only does what the effects say, when the test says so.
 */
import { type GatewayConfig, gatewayConfigFrom } from "../../src/gateway/config.ts";
import type { GatewayEffect, LogCode } from "../../src/gateway/effects.ts";
import { apply, createGateway, type GatewayCommand, type GatewayOutcome } from "../../src/gateway/engine.ts";
import type { NotifyOutcome } from "../../src/gateway/matrix-errors.ts";
import type { ProviderResult } from "../../src/gateway/providers/provider.ts";
import type { Gateway } from "../../src/gateway/state.ts";

export type Delivered = Extract<GatewayEffect, { kind: "provider.delivered" }>;
export type Post = Extract<GatewayEffect, { kind: "provider.post" }>;
export type Apply = typeof apply;

export function configFrom(raw: unknown): GatewayConfig {
  const parsed = gatewayConfigFrom(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

export interface DeviceSpec {
  readonly app_id: string;
  readonly pushkey: string;
  readonly pushkey_ts?: number;
}

export function eventBody(eventId: string, devices: readonly DeviceSpec[], extra: Record<string, unknown> = {}) {
  return { notification: { event_id: eventId, room_id: "!room:example.org", type: "m.room.message", ...extra, devices } };
}

export function badgeBody(unread: number, devices: readonly DeviceSpec[]) {
  return { notification: { counts: { unread }, devices } };
}

export class Harness {
  readonly gw: Gateway;
  now = 0;
  readonly effects: GatewayEffect[] = [];
  readonly timers = new Map<string, number>();
  readonly posts = new Map<string, Post>();
  private requests = 0;

  constructor(
    config: GatewayConfig,
    private readonly step: Apply = apply,
  ) {
    this.gw = createGateway(config);
  }

  run(command: GatewayCommand): GatewayOutcome {
    const { outcome, effects } = this.step(this.gw, command, this.now);
    for (const e of effects) {
      this.effects.push(e);
      if (e.kind === "timer") this.timers.set(e.id, e.at);
      if (e.kind === "provider.post") this.posts.set(e.deliveryId, e);
    }
    return outcome;
  }

  notify(body: unknown): NotifyOutcome {
    return this.run({ type: "notify", requestId: `r${++this.requests}`, body }) as NotifyOutcome;
  }

  /** The pushkeys a notify answered as rejected; throws on a non-200. */
  rejected(body: unknown): readonly string[] {
    const outcome = this.notify(body);
    if (outcome.status !== 200) throw new Error(`notify answered ${outcome.status}: ${outcome.body.error}`);
    return outcome.body.rejected;
  }

  answer(deliveryId: string, result: ProviderResult): GatewayOutcome {
    this.posts.delete(deliveryId);
    return this.run({ type: "providerResult", deliveryId, result });
  }

  /** Fires the earliest pending timer, moving the clock to it. False if none is pending. */
  fireNextTimer(): boolean {
    let next: [string, number] | undefined;
    for (const entry of this.timers) if (next === undefined || entry[1] < next[1]) next = entry;
    if (next === undefined) return false;
    this.timers.delete(next[0]);
    this.now = Math.max(this.now, next[1]);
    this.run({ type: "timer", id: next[0] });
    return true;
  }

  /** Answers every pending POST with `result` and fires every timer, until nothing is pending. */
  drain(result: ProviderResult = { status: 200, body: { rejected: [] } }, limit = 10_000): void {
    for (let i = 0; i < limit; i++) {
      const post = this.posts.keys().next();
      if (!post.done) this.answer(post.value, result);
      else if (!this.fireNextTimer()) return;
    }
    throw new Error("drain did not settle");
  }

  delivered(pushkey?: string): Delivered[] {
    return this.effects.filter((e): e is Delivered => e.kind === "provider.delivered" && (pushkey === undefined || e.pushkey === pushkey));
  }

  logs(code: LogCode): Extract<GatewayEffect, { kind: "log" }>[] {
    return this.effects.filter((e): e is Extract<GatewayEffect, { kind: "log" }> => e.kind === "log" && e.code === code);
  }
}
