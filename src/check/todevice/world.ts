/**
 * The world of the send-to-device model-based property: a homeserver behind a checker driver
 * (the in-process engine or any server over HTTP), two users with a few devices, each device
 * running one sync loop, and the history the clients observe (what they sent, with which answer,
 * and what each device committed).
 *
 * The fast-check model is only the ids each device has committed (`Model.chains`); everything a
 * command needs to act (live devices, tokens, sync positions, transaction ids in use) is the
 * clients' own state, kept here as they would keep it. Expected answers are stated from the
 * clients' point of view, and the history checker judges the rest.
 */
import type fc from "fast-check";
import type { Account, AccountSource } from "../accounts.ts";
import type { Observation } from "../compare.ts";
import { type Answer, type HomeserverDriver, type Session, type ToDeviceEventSeen, toDeviceOf } from "../driver.ts";
import { checkHistory, type RecordedSend, type SendOutcome, type Verdict } from "../history.ts";
import type { Transcript } from "../transcript.ts";
import { Violation } from "../violation.ts";

export const DEVICE_NAMES = ["D0", "D1", "D2"] as const;
export const REMOTE_USER = "@r:remote.test";

/** What a run needs from its target: a driver, users, and the per-sync limit it applies. */
export interface Target {
  readonly driver: HomeserverDriver;
  readonly trace: Transcript;
  readonly accounts: AccountSource;
  readonly syncLimit: number;
  /**
   * Whether to hold the target to the reference's answers where the spec leaves a policy open
   * (a device re-created with a deleted device's id, TD-26). Default true.
   */
  readonly policyCases?: boolean;
}

/** One device running one sync loop (the exactly-once promise assumes exactly this). */
export interface DeviceLoop {
  /** The device's identity in the history: a re-created device id is a new device. */
  readonly key: string;
  readonly userId: string;
  readonly deviceId: string;
  token: string;
  since: string | undefined;
  /** The last response received, committed when its next_batch is used as since. */
  held: { readonly nextBatch: string; readonly ids: readonly string[] } | null;
}

export type Contents = Record<string, Record<string, Record<string, string>>>;

/** A request as the client made it, kept so it can be retransmitted. */
export interface SentRequest {
  readonly userId: string;
  readonly deviceId: string;
  readonly eventType: string;
  readonly txnId: string;
  readonly messages: Contents;
  /** The answer the first request in this transaction scope got (what replays must get). */
  readonly firstAnswer: Answer;
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
  readonly driver: HomeserverDriver;
  readonly trace: Transcript;
  readonly syncLimit: number;
  readonly users: readonly string[];
  readonly passwords: ReadonlyMap<string, string | null>;
  readonly deviceNames: readonly string[];
  readonly manageDevices: boolean;
  readonly policyCases: boolean;
  /**
   * Prefix of content ids and txnIds on users reused across runs (a token file), so leftovers of
   * earlier runs cannot pass as ours and our requests are not taken for their retransmissions.
   */
  readonly idPrefix: string;
  live: DeviceLoop[];
  readonly incarnations: Map<string, number>;
  readonly sends: Map<string, { -readonly [K in keyof RecordedSend]: RecordedSend[K] }>;
  /** Sender user id and event type of every content id, to check what /sync shows (TD-32, TD-33). */
  readonly shapes: Map<string, { readonly sender: string; readonly type: string }>;
  readonly requests: SentRequest[];
  /** First successful request per transaction scope (user, device, event type, txnId). */
  readonly txnFirst: Map<string, SentRequest>;
  readonly exempt: Set<string>;
  readonly observations: Observation[];
  order: number;
  nextId: number;
}

export function txnScope(userId: string, deviceId: string, eventType: string, txnId: string): string {
  return JSON.stringify([userId, deviceId, eventType, txnId]);
}

export function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

export function addLoop(world: World, session: Session): DeviceLoop {
  const name = `${session.userId}|${session.deviceId}`;
  const n = (world.incarnations.get(name) ?? 0) + 1;
  world.incarnations.set(name, n);
  const loop: DeviceLoop = { key: `${name}#${n}`, userId: session.userId, deviceId: session.deviceId, token: session.accessToken, since: undefined, held: null };
  world.live.push(loop);
  return loop;
}

export function sessionOfLoop(loop: DeviceLoop): Session {
  return { userId: loop.userId, deviceId: loop.deviceId, accessToken: loop.token };
}

export function recordSend(world: World, id: string, sender: string, recipients: string[], outcome: SendOutcome): void {
  world.sends.set(id, { id, sender, recipients, outcome, order: world.order });
}

export function observe(world: World, step: string, seen: string): void {
  world.observations.push({ step, seen });
}

/** A content id without the run's prefix, for observations comparable across servers. */
export function plainId(world: World, id: string): string {
  return id.startsWith(world.idPrefix) ? id.slice(world.idPrefix.length) : id;
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

/**
 * TD-31…TD-33: each event shows the sender's user id, the event type and the content as sent
 * (contents here are `{id}` only). Returns the content ids.
 */
export function idsOf(world: World, events: readonly ToDeviceEventSeen[]): string[] {
  return events.map((e) => {
    const id = String(e.content.id);
    const shape = world.shapes.get(id);
    if (shape !== undefined && (e.sender !== shape.sender || e.type !== shape.type || JSON.stringify(e.content) !== JSON.stringify({ id }))) {
      throw new Violation(["TD-31", "TD-32", "TD-33"], `event ${JSON.stringify(e)} is not what was sent: ${JSON.stringify({ sender: shape.sender, type: shape.type, content: { id } })}`);
    }
    return id;
  });
}

/** One sync along the loop's chain; throws on anything but a 200 with a next_batch. */
export async function syncLoop(world: World, loop: DeviceLoop): Promise<{ nextBatch: string; events: ToDeviceEventSeen[] }> {
  const session = sessionOfLoop(loop);
  const answer = await world.s.waitFor(world.driver.sync(session, loop.since === undefined ? {} : { since: loop.since }));
  const out = toDeviceOf(answer);
  if (out === null) throw new Violation(["TD-17"], `sync of ${loop.key} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return out;
}

function emptyWorld(target: Target, s: fc.Scheduler, accounts: readonly Account[], idPrefix: string, observations: Observation[]): World {
  return {
    s,
    driver: target.driver,
    trace: target.trace,
    syncLimit: target.syncLimit,
    users: accounts.map((a) => a.userId),
    passwords: new Map(accounts.map((a) => [a.userId, a.password])),
    deviceNames: target.accounts.manageDevices ? DEVICE_NAMES : [...new Set(accounts.flatMap((a) => a.sessions.map((x) => x.deviceId)))],
    manageDevices: target.accounts.manageDevices,
    policyCases: target.policyCases ?? true,
    idPrefix,
    live: [],
    incarnations: new Map(),
    sends: new Map(),
    shapes: new Map(),
    requests: [],
    txnFirst: new Map(),
    exempt: new Set(),
    observations,
    order: 0,
    nextId: 0,
  };
}

/** Two users with devices D0 and D1 each (or the sessions a token file gives). */
export async function createWorld(target: Target, s: fc.Scheduler, idPrefix = "", observations: Observation[] = []): Promise<World> {
  target.trace.step("setup: users and devices");
  const accounts = await target.accounts.obtain(target.driver, 2, DEVICE_NAMES.slice(0, 2), (p) => s.waitFor(p));
  const world = emptyWorld(target, s, accounts, idPrefix, observations);
  for (const account of accounts) for (const session of account.sessions) addLoop(world, session);
  if (target.accounts.reused) {
    // Users from a token file may hold messages from earlier runs: acknowledge them unseen.
    for (const loop of world.live) await drainLoop(world, loop, null);
  }
  return world;
}

/** Sync along the chain until the server has nothing more, committing into `model` if given. */
async function drainLoop(world: World, loop: DeviceLoop, model: Model | null): Promise<void> {
  for (let round = 0; round < 10_000; round++) {
    if (model !== null) commitHeld(model, loop);
    else if (loop.held !== null) loop.since = loop.held.nextBatch;
    const out = await syncLoop(world, loop);
    loop.held = { nextBatch: out.nextBatch, ids: model === null ? [] : idsOf(world, out.events) };
    if (out.events.length === 0) return;
  }
}

/**
 * End of a run: every live device commits what it holds and syncs along its chain until the
 * server has nothing more, then the history checker judges the whole run.
 */
export async function drainAndJudge(world: World, model: Model): Promise<Verdict> {
  world.trace.step("drain: every live device syncs along its chain until nothing is left");
  for (const loop of world.live) await drainLoop(world, loop, model);
  return checkHistory({ sends: [...world.sends.values()], chains: model.chains, exempt: world.exempt });
}
