/**
 * The gateway process's driver: it owns one pure gateway engine and executes its effects for
 * real. The clock is read here (`Date.now()`), never in the engine.
 *
 * - `provider.delivered` → the in-memory `DeliveryRecord` (what the simulated providers "send")
 *   and a log line;
 * - `provider.post` → `fetch` with a timeout; the answer (status and JSON body, or the error)
 *   comes back to the engine as a `providerResult` command;
 * - `timer` → `setTimeout`, which applies `{type: "timer", id}` when it is due;
 * - `log` → a structured log line.
 * A `cleanup` command runs on an interval, so the dedupe memory and token failures stay bounded.
 *
 * Durability (`gateway-store.ts`): each command that changed the state is journaled with its
 * `now` after the engine applied it and before any of its effects leave the process, all in one
 * synchronous step, so the state in memory always equals the journal replayed; a notify is
 * answered only after that (GW-4: the 2xx means the notification was processed). The journal is
 * compacted into a snapshot every `compactEvery` commands, at start and at close.
 *
 * After a restart the timers pending at the crash are re-armed at their original due time (one
 * already past fires at once) and the POSTs still awaiting an answer are sent again. A POST
 * answered just before a crash, whose answer was not yet journaled, is therefore sent twice:
 * toward a webhook the gateway is at-least-once (its body carries `event_id`, so a receiver can
 * dedupe). The simulated providers answer inside the notify command itself, so for them a
 * notification is delivered exactly once across restarts.
 */
import {
  apply,
  type Gateway,
  type GatewayCommand,
  type GatewayConfig,
  type GatewayEffect,
  type NotifyCommand,
  type NotifyOutcome,
} from "../gateway/index.ts";
import { DEFAULT_DELIVERIES_KEPT, DeliveryRecord } from "./deliveries.ts";
import { type GatewayStore, openGatewayStore, SNAPSHOT_FORMAT } from "./gateway-store.ts";
import { notePending, type PendingWork } from "./pending-work.ts";
import { DEFAULT_PROVIDER_TIMEOUT_MS, postToProvider } from "./provider-post.ts";

export type LogLine = Record<string, unknown>;

export interface GatewayRuntimeOptions {
  readonly config: GatewayConfig;
  /** Where the journal lives; without it nothing survives the process. */
  readonly dataDir?: string;
  readonly providerTimeoutMs?: number;
  readonly deliveriesKept?: number;
  readonly cleanupIntervalMs?: number;
  readonly compactEvery?: number;
  readonly log?: (line: LogLine) => void;
}

export const DEFAULT_CLEANUP_INTERVAL_MS = 60_000;
export const DEFAULT_COMPACT_EVERY = 10_000;
/** setTimeout's longest wait; longer waits are made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type DriverCommand = Exclude<GatewayCommand, NotifyCommand>;

export class GatewayRuntime {
  readonly deliveries: DeliveryRecord;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly posts = new Set<Promise<void>>();
  private readonly cleanupTimer: ReturnType<typeof setInterval>;
  private readonly log: (line: LogLine) => void;
  private readonly providerTimeoutMs: number;
  private readonly compactEvery: number;
  private sinceCompaction = 0;
  private phase: "running" | "closing" | "closed" = "running";
  private closing: Promise<void> | null = null;
  /** Set when the journal failed: the state in memory may be ahead of it, so nothing more is accepted. */
  private broken: unknown = null;

  private constructor(
    private readonly gw: Gateway,
    private readonly store: GatewayStore,
    private readonly pending: PendingWork,
    private lastNow: number,
    options: GatewayRuntimeOptions,
  ) {
    this.deliveries = new DeliveryRecord(options.deliveriesKept ?? DEFAULT_DELIVERIES_KEPT);
    this.log = options.log ?? (() => {});
    this.providerTimeoutMs = options.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
    this.compactEvery = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
    this.cleanupTimer = setInterval(() => this.drive({ type: "cleanup" }), options.cleanupIntervalMs ?? DEFAULT_CLEANUP_INTERVAL_MS);
  }

  /** Recovers the gateway from `dataDir` (if given) and resumes the work pending there. */
  static open(options: GatewayRuntimeOptions): GatewayRuntime {
    const { store, recovered } = openGatewayStore(options.dataDir, options.config);
    const runtime = new GatewayRuntime(recovered.gateway, store, recovered.pending, recovered.lastNow, options);
    const timers = Object.entries(recovered.pending.timers);
    const posts = Object.entries(recovered.pending.posts);
    if (options.dataDir !== undefined) {
      runtime.log({ msg: "gateway state recovered", replayed: recovered.replayed, timers: timers.length, posts: posts.length });
    }
    for (const [id, at] of timers) runtime.arm(id, at);
    for (const [deliveryId, post] of posts) runtime.startPost(deliveryId, post.url, post.body);
    return runtime;
  }

  /** `POST /_matrix/push/v1/notify`. Throws only when the journal failed (the shell answers 500). */
  notify(requestId: string, body: unknown): NotifyOutcome {
    if (this.broken !== null) throw new Error("the gateway journal failed; restart the gateway to recover");
    const command: NotifyCommand = { type: "notify", requestId, body };
    const now = this.tick();
    const { outcome, effects } = apply(this.gw, command, now);
    this.commit(command, outcome.status === 200, effects, now);
    return outcome;
  }

  /** Work the engine waits on: retry timers not yet fired and provider POSTs not yet answered. */
  get outstanding(): { readonly timers: number; readonly posts: number } {
    return { timers: Object.keys(this.pending.timers).length, posts: Object.keys(this.pending.posts).length };
  }

  /** Stops timers and the cleanup, waits for the POSTs under way, writes a snapshot, closes the journal. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.phase = "closing";
    clearInterval(this.cleanupTimer);
    // Cleared timers stay in `pending`, so the next start re-arms them.
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
    await Promise.allSettled([...this.posts]);
    if (this.broken === null) this.compact();
    this.store.close();
    this.phase = "closed";
  }

  /** The engine's clock input: wall time, never going backwards across commands or restarts. */
  private tick(): number {
    this.lastNow = Math.max(Date.now(), this.lastNow);
    return this.lastNow;
  }

  /** Applies a driver command; failures are logged, never thrown into a timer or a promise chain. */
  private drive(command: DriverCommand): void {
    if (this.broken !== null || this.phase === "closed") return;
    try {
      const now = this.tick();
      const { outcome, effects } = apply(this.gw, command, now);
      this.commit(command, "handled" in outcome && outcome.handled, effects, now);
    } catch (e) {
      this.log({ msg: "gateway command failed", level: "error", command: command.type, error: String(e) });
    }
  }

  private commit(command: GatewayCommand, changed: boolean, effects: readonly GatewayEffect[], now: number): void {
    if (changed) {
      try {
        this.store.append(command, now);
      } catch (e) {
        this.broken = e;
        this.log({ msg: "gateway journal failed; accepting nothing more", level: "error", error: String(e) });
        throw e;
      }
    }
    notePending(this.pending, changed ? command : null, effects);
    if (changed && ++this.sinceCompaction >= this.compactEvery) this.compact();
    for (const effect of effects) this.execute(effect, now);
  }

  private compact(): void {
    try {
      this.store.compact({ format: SNAPSHOT_FORMAT, state: this.gw.state, pending: this.pending, lastNow: this.lastNow });
      this.sinceCompaction = 0;
    } catch (e) {
      // The journal still holds everything; compaction is retried after the next commands.
      this.log({ msg: "gateway compaction failed", level: "warn", error: String(e) });
    }
  }

  private execute(effect: GatewayEffect, now: number): void {
    switch (effect.kind) {
      case "provider.delivered": {
        const { seq, provider, app_id, pushkey, event_id } = this.deliveries.record(effect, now);
        this.log({ msg: "provider.delivered", seq, provider, app_id, pushkey, ...(event_id === undefined ? {} : { event_id }) });
        return;
      }
      case "provider.post":
        this.startPost(effect.deliveryId, effect.url, effect.body);
        return;
      case "timer":
        this.arm(effect.id, effect.at);
        return;
      case "log": {
        const { kind: _, message, appId, pushkey, eventId, ...rest } = effect;
        this.log({ msg: message, ...rest, app_id: appId, pushkey, ...(eventId === undefined ? {} : { event_id: eventId }) });
        return;
      }
    }
  }

  private startPost(deliveryId: string, url: string, body: unknown): void {
    // While closing, the POST stays pending and the next start sends it.
    if (this.phase !== "running") return;
    const post = postToProvider(url, body, this.providerTimeoutMs)
      .then((result) => {
        const answer = "error" in result ? { error: result.error } : { status: result.status };
        this.log({ msg: "provider.post", delivery_id: deliveryId, url, ...answer });
        this.drive({ type: "providerResult", deliveryId, result });
      })
      .finally(() => this.posts.delete(post));
    this.posts.add(post);
  }

  private arm(id: string, at: number): void {
    if (this.phase !== "running") return;
    const wait = Math.max(0, at - Date.now());
    const split = wait > MAX_TIMER_MS;
    const handle = setTimeout(
      () => {
        this.timers.delete(id);
        if (split) this.arm(id, at);
        else this.drive({ type: "timer", id });
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    this.timers.set(id, handle);
  }
}
