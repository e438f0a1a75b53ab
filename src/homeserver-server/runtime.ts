/**
 * The homeserver process around the pure engine: it journals each state-changing command (so
 * replay rebuilds the same state), and executes the engine's effects for real — wake-ups of
 * long-polls, timers, signed federation transactions and push notifications over HTTP — feeding
 * their results back as commands. No rule of the protocol lives here.
 *
 * Group commit: with a journal, the commands applied in one turn of the event loop are written in
 * one SQLite transaction at the end of the turn. Until that commit nothing of them leaves the
 * process: their effects wait, and `durable()` (which the HTTP layer awaits before answering any
 * request) waits. So whatever a client, a peer or a gateway has seen is on disk, and a crash loses
 * only commands that nobody was told about — the same guarantee as writing each command before
 * applying it, at one commit per turn instead of one per command.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Json } from "../canonical-json.ts";
import { apply, createHomeserver, type Applied, type Homeserver, type HomeserverCommand, type HomeserverOutcomeOf, type HomeserverState, resume } from "../engine/homeserver.ts";
import type { Effect } from "../engine/effects.ts";
import type { PolicyOverrides } from "../engine/policies.ts";
import { DEFAULT_MAX_ANSWER_BYTES, sendJson } from "../http/outbound.ts";
import { newSigningKey, type SigningKey, signingKeyFrom, xMatrixHeader } from "../http/signing.ts";
import type { ServerName } from "../ids.ts";
import { Journal } from "../store/journal.ts";
import { decodeState, encodeState } from "../store/state-codec.ts";
import { Waiters } from "./long-poll.ts";

export interface HomeserverRuntimeOptions {
  readonly serverName: ServerName;
  /** Where the journal lives; null keeps everything in memory (lost on exit). */
  readonly dataDir: string | null;
  readonly policies?: PolicyOverrides;
  /** Static server discovery: server name → base URL (DESIGN, "Federation"). */
  readonly peers: ReadonlyMap<string, string>;
  readonly log: (line: Record<string, unknown>) => void;
  /** Compaction's floor: no snapshot before the journal holds this many bytes (default 4 MiB). */
  readonly compactFloorBytes?: number;
  readonly expireIntervalMs?: number;
  readonly federationTimeoutMs?: number;
  readonly pushTimeoutMs?: number;
  /**
   * The journal could not be written: what was applied since the last commit is not durable, so
   * the runtime refuses everything after (the process should exit and recover from the journal).
   */
  readonly onFatal?: (error: Error) => void;
}

/** Commands applied but not yet committed, with the effects they hold back. */
interface PendingCommit {
  readonly rows: { command: unknown; now: number }[];
  readonly effects: Effect[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

export const DEFAULT_COMPACT_FLOOR_BYTES = 4 * 1024 * 1024;

/** Commands that change nothing: not journaled. */
const READ_ONLY = new Set(["whoami", "listDevices", "getPushers", "getPushRules", "getPushRule", "getDisplayName"]);

function changesState(command: HomeserverCommand): boolean {
  if (READ_ONLY.has(command.type)) return false;
  if ((command.type === "sync" || command.type === "syncToDevice") && command.since === undefined) return false;
  return true;
}

export class HomeserverRuntime {
  readonly waiters = new Waiters();
  private hs: Homeserver;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private expireTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private pending: PendingCommit | null = null;
  private failure: Error | null = null;
  readonly signingKey: SigningKey;
  private readonly secret: string;

  private constructor(
    private readonly options: HomeserverRuntimeOptions,
    private readonly journal: Journal | null,
  ) {
    const meta = (key: string, make: () => string): string => {
      const stored = journal?.getMeta(key) ?? null;
      if (stored !== null) return stored;
      const value = make();
      journal?.setMeta(key, value);
      return value;
    };
    const epoch = meta("epoch", () => randomBytes(4).toString("hex"));
    this.secret = meta("password-secret", () => randomBytes(32).toString("base64"));
    this.signingKey = signingKeyFrom("ed25519:auto", meta("signing-key", () => newSigningKey().pkcs8));
    const config = { serverName: options.serverName, epoch, ...(options.policies === undefined ? {} : { policies: options.policies }) };
    this.hs = createHomeserver(config);
    this.recover(config);
  }

  static open(options: HomeserverRuntimeOptions): HomeserverRuntime {
    const journal = options.dataDir === null ? null : new Journal({ dir: options.dataDir, file: "homeserver.sqlite" });
    const runtime = new HomeserverRuntime(options, journal);
    runtime.execute([...resume(runtime.hs)]);
    runtime.expireTimer = setInterval(() => HomeserverRuntime.safe(runtime, { type: "expire" }), options.expireIntervalMs ?? 60_000);
    runtime.expireTimer.unref();
    return runtime;
  }

  private static safe(runtime: HomeserverRuntime, command: HomeserverCommand): void {
    if (!runtime.closed) runtime.run(command);
  }

  private recover(config: Parameters<typeof createHomeserver>[0]): void {
    if (this.journal === null) return;
    const snapshot = this.journal.snapshot();
    if (snapshot !== null) this.hs = { ...createHomeserver(config), state: decodeState(snapshot.state as never) as HomeserverState };
    let replayed = 0;
    for (const entry of this.journal.entriesAfter(snapshot?.seq ?? 0)) {
      apply(this.hs, entry.command as HomeserverCommand, entry.now);
      replayed++;
    }
    this.options.log({ msg: "recovered", server: this.options.serverName, snapshot: snapshot?.seq ?? 0, replayed });
  }

  get engine(): Homeserver {
    return this.hs;
  }

  /** The password as the engine stores it: keyed by a secret, so the journal never holds it. */
  passwordDigest(localpart: string, password: string): string {
    return createHmac("sha256", this.secret).update(`${localpart}\u0000${password}`).digest("base64");
  }

  /**
   * Apply one command. A state-changing command joins this turn's commit; its effects, and those
   * of any command applied while a commit is pending, run once the commit is written.
   */
  run<C extends HomeserverCommand>(command: C): HomeserverOutcomeOf<C> {
    if (this.failure !== null) throw this.failure;
    const now = Date.now();
    if (this.journal !== null && changesState(command)) this.join({ command, now });
    const applied = apply(this.hs, command, now) as Applied<HomeserverOutcomeOf<C>>;
    if (this.pending === null) this.execute(applied.effects);
    else for (const effect of applied.effects) this.pending.effects.push(effect);
    return applied.outcome;
  }

  /** Whether commands are journaled (a data directory was given). */
  get journaled(): boolean {
    return this.journal !== null;
  }

  /** Resolves once every command applied so far is in the journal (at once without one). */
  durable(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return this.pending?.done ?? Promise.resolve();
  }

  private join(row: { command: unknown; now: number }): void {
    if (this.pending === null) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const done = new Promise<void>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      // A commit nobody awaits (a timer's command) must not become an unhandled rejection.
      done.catch(() => {});
      this.pending = { rows: [], effects: [], done, resolve, reject };
      setImmediate(() => this.commit());
    }
    this.pending.rows.push(row);
  }

  /** Write the pending commands in one transaction, then release their effects and answers. */
  private commit(): void {
    const batch = this.pending;
    if (batch === null || this.journal === null) return;
    this.pending = null;
    try {
      this.journal.appendBatch(batch.rows);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.failure = error;
      batch.reject(error);
      this.options.log({ msg: "journal write failed", level: "error", error: error.message });
      this.options.onFatal?.(error);
      return;
    }
    // Nothing has been applied since the batch: the state is exactly what the journal holds.
    if (this.journal.dueForCompaction(this.options.compactFloorBytes ?? DEFAULT_COMPACT_FLOOR_BYTES)) this.journal.compact(encodeState(this.hs.state));
    this.execute(batch.effects);
    batch.resolve();
  }

  private execute(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case "wake":
          this.waiters.wake(effect.userId, effect.deviceId);
          break;
        case "timer":
          this.arm(effect.id, effect.at);
          break;
        case "timer.cancel":
          clearTimeout(this.timers.get(effect.id));
          this.timers.delete(effect.id);
          break;
        case "federation.send":
          void this.sendTransaction(effect);
          break;
        case "push.notify":
          void this.notify(effect);
          break;
        default:
          this.options.log({ msg: effect.kind, ...(effect as unknown as Record<string, unknown>) });
      }
    }
  }

  private arm(id: string, at: number): void {
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      HomeserverRuntime.safe(this, { type: "timer", id });
    }, Math.max(0, at - Date.now()));
    this.timers.set(id, timer);
  }

  private async sendTransaction(effect: Extract<Effect, { kind: "federation.send" }>): Promise<void> {
    const base = this.options.peers.get(effect.destination);
    const report = (result: { ok: true } | { ok: false; status?: number; reason: string }) =>
      HomeserverRuntime.safe(this, { type: "federationResult", destination: effect.destination, txnId: effect.txnId, result });
    if (base === undefined) {
      setImmediate(() => report({ ok: false, reason: `no known address for ${effect.destination}` }));
      return;
    }
    const uri = `/_matrix/federation/v1/send/${encodeURIComponent(effect.txnId)}`;
    const content = effect.body as unknown as Json;
    const auth = xMatrixHeader({ method: "PUT", uri, origin: this.options.serverName, destination: effect.destination, content }, this.signingKey);
    try {
      const res = await sendJson({ method: "PUT", url: base + uri, headers: { Authorization: auth }, json: JSON.stringify(content), timeoutMs: this.options.federationTimeoutMs ?? 30_000 });
      report(res.status === 200 ? { ok: true } : { ok: false, status: res.status, reason: `HTTP ${res.status}` });
    } catch (e) {
      report({ ok: false, reason: String((e as Error).message ?? e) });
    }
  }

  /** PUSH-26, PUSH-28: any answer that is not a 2xx with a JSON body is a failure. */
  private async notify(effect: Extract<Effect, { kind: "push.notify" }>): Promise<void> {
    const report = (result: { ok: true; status: number; rejected: string[] } | { ok: false; reason: string }) =>
      HomeserverRuntime.safe(this, { type: "pushResult", pusherId: effect.pusherId, result });
    try {
      const res = await sendJson({ method: "POST", url: effect.url, json: JSON.stringify(effect.body), timeoutMs: this.options.pushTimeoutMs ?? 10_000 });
      if (res.text === null) {
        report({ ok: false, reason: `HTTP ${res.status}, body longer than ${DEFAULT_MAX_ANSWER_BYTES} bytes` });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(res.text);
      } catch {
        report({ ok: false, reason: `HTTP ${res.status}, body is not JSON` });
        return;
      }
      const rejected = (body as { rejected?: unknown })?.rejected;
      report({ ok: true, status: res.status, rejected: Array.isArray(rejected) ? rejected.filter((k): k is string => typeof k === "string") : [] });
    } catch (e) {
      report({ ok: false, reason: String((e as Error).message ?? e) });
    }
  }

  close(): void {
    this.commit();
    this.closed = true;
    clearInterval(this.expireTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiters.wakeAll();
    this.journal?.close();
  }
}
