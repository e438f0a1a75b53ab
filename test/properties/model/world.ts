/**
 * The world of the send-to-device model-based property: one engine behind a tiny async driver,
 * two local users with a few devices, each device running one sync loop, and the history the
 * clients observe (what they sent, with which outcome, and what each device committed).
 *
 * The fast-check model is only the ids each device has committed (`Model.chains`); everything a
 * command needs to act (live devices, tokens, sync positions, transaction ids in use) is the
 * clients' own state, kept here as they would keep it. Expected answers are stated from the
 * clients' point of view, and the history checker judges the rest.
 */
import type fc from "fast-check";
import type { Applied } from "../../../src/engine/homeserver.ts";
import { apply, createHomeserver, type Homeserver } from "../../../src/engine/homeserver.ts";
import type { Command, OutcomeOf, Outcomes, SyncResult } from "../../../src/engine/commands.ts";
import type { Policies } from "../../../src/engine/policies.ts";
import type { AccessToken, DeviceId, ServerName, UserId } from "../../../src/ids.ts";
import { checkHistory, type RecordedSend, type SendOutcome, type Verdict } from "../../checkers/history.ts";

export const SERVER = "hs.test" as ServerName;
export const USERS = ["@u0:hs.test", "@u1:hs.test"] as UserId[];
export const DEVICE_NAMES = ["D0", "D1", "D2"] as DeviceId[];

/** Something that applies commands: the real engine or a broken variant of it. */
export interface Engine {
  readonly hs: Homeserver;
  apply<C extends Command>(command: C, now: number): Applied<OutcomeOf<C>>;
}

export function realEngine(policies: Partial<Policies>): Engine {
  const hs = createHomeserver({ serverName: SERVER, policies });
  return { hs, apply: (command, now) => apply(hs, command, now) };
}

/** The shell's view: a request goes in, an answer comes out after an awaited store step. */
export interface Driver {
  request<C extends Command>(command: C): Promise<OutcomeOf<C>>;
}

/**
 * The reference driver: apply (atomic), then await the durable store of the journal entry (a
 * step the scheduler orders), then answer. Two identical requests in flight can interleave
 * only at the store step, after the engine has already answered both.
 */
export function journalingDriver(engine: Engine, store: () => Promise<void>, now: () => number): Driver {
  return {
    async request(command) {
      const applied = engine.apply(command, now());
      await store();
      return applied.outcome;
    },
  };
}

export interface System {
  readonly name: string;
  engine(policies: Partial<Policies>): Engine;
  driver(engine: Engine, store: () => Promise<void>, now: () => number): Driver;
}

export const REFERENCE: System = { name: "reference", engine: realEngine, driver: journalingDriver };

/** One device running one sync loop (the exactly-once promise assumes exactly this). */
export interface DeviceLoop {
  /** The device's identity in the history: a re-created device id is a new device. */
  readonly key: string;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  token: AccessToken;
  since: string | undefined;
  /** The last response received, committed when its next_batch is used as since. */
  held: { readonly nextBatch: string; readonly ids: readonly string[] } | null;
}

/** A request as the client made it, kept so it can be retransmitted. */
export interface SentRequest {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly eventType: string;
  readonly txnId: string;
  readonly body: { readonly messages: Record<string, Record<string, Record<string, string>>> };
  readonly firstOutcome: Outcomes["sendToDevice"];
  /** Whether this request's own messages were accepted (false for 413 and for txn collisions). */
  readonly accepted: boolean;
  readonly ids: readonly string[];
}

export interface Model {
  /** device key → ids committed, per committed response, in chain order. */
  readonly chains: Map<string, string[][]>;
}

export interface World {
  readonly s: fc.Scheduler;
  readonly engine: Engine;
  readonly driver: Driver;
  readonly syncLimit: number;
  live: DeviceLoop[];
  readonly incarnations: Map<string, number>;
  readonly sends: Map<string, { -readonly [K in keyof RecordedSend]: RecordedSend[K] }>;
  readonly requests: SentRequest[];
  /** First successful outcome per transaction scope (user, device, event type, txnId). */
  readonly txnFirst: Map<string, SentRequest>;
  readonly exempt: Set<string>;
  order: number;
  nextId: number;
  nextToken: number;
}

export function txnScope(userId: UserId, deviceId: DeviceId, eventType: string, txnId: string): string {
  return JSON.stringify([userId, deviceId, eventType, txnId]);
}

export function freshToken(world: World): AccessToken {
  return `tok${world.nextToken++}` as AccessToken;
}

export function addLoop(world: World, userId: UserId, deviceId: DeviceId, token: AccessToken): DeviceLoop {
  const name = `${userId}|${deviceId}`;
  const n = (world.incarnations.get(name) ?? 0) + 1;
  world.incarnations.set(name, n);
  const loop: DeviceLoop = { key: `${name}#${n}`, userId, deviceId, token, since: undefined, held: null };
  world.live.push(loop);
  return loop;
}

export function recordSend(world: World, id: string, sender: string, recipients: string[], outcome: SendOutcome): void {
  world.sends.set(id, { id, sender, recipients, outcome, order: world.order });
}

/** Commit `held` (the device is about to use its next_batch) into the model. */
export function commitHeld(model: Model, loop: DeviceLoop): void {
  if (loop.held === null) return;
  const chain = model.chains.get(loop.key) ?? [];
  chain.push([...loop.held.ids]);
  model.chains.set(loop.key, chain);
  loop.since = loop.held.nextBatch;
  loop.held = null;
}

export function idsOf(result: SyncResult): string[] {
  return result.events.map((e) => String(e.content.id));
}

/** Register the users, each with devices D0 and D1, sequentially and outside the scheduler. */
export function createWorld(system: System, s: fc.Scheduler, policies: Partial<Policies>): World {
  const engine = system.engine(policies);
  const store = s.scheduleFunction(async function store() {});
  const world: World = {
    s,
    engine,
    driver: system.driver(engine, store, () => 0),
    syncLimit: engine.hs.policies.syncLimit,
    live: [],
    incarnations: new Map(),
    sends: new Map(),
    requests: [],
    txnFirst: new Map(),
    exempt: new Set(),
    order: 0,
    nextId: 0,
    nextToken: 0,
  };
  for (const userId of USERS) {
    const username = userId.slice(1, userId.indexOf(":"));
    const token = freshToken(world);
    engine.apply({ type: "register", username, password: "pw", deviceId: "D0" as DeviceId, accessToken: token }, 0);
    addLoop(world, userId, "D0" as DeviceId, token);
    const second = freshToken(world);
    engine.apply({ type: "login", user: userId, password: "pw", deviceId: "D1" as DeviceId, accessToken: second }, 0);
    addLoop(world, userId, "D1" as DeviceId, second);
  }
  return world;
}

/**
 * End of a run: every live device commits what it holds and syncs along its chain until the
 * server has nothing more, then the history checker judges the whole run.
 */
export async function drainAndJudge(world: World, model: Model, s: fc.Scheduler): Promise<Verdict> {
  for (const loop of world.live) {
    for (let round = 0; round < 10_000; round++) {
      commitHeld(model, loop);
      const cmd = loop.since === undefined
        ? ({ type: "syncToDevice", token: loop.token } as const)
        : ({ type: "syncToDevice", token: loop.token, since: loop.since } as const);
      const out = await s.waitFor(world.driver.request(cmd));
      if (!out.ok) throw new Error(`drain: sync failed with ${out.error.errcode}`);
      loop.held = { nextBatch: out.nextBatch, ids: idsOf(out) };
      if (out.events.length === 0) break;
    }
  }
  return checkHistory({ sends: [...world.sends.values()], chains: model.chains, exempt: world.exempt });
}
