/**
 * A simulation, as data: the world's shape, the fault rates and the explicit fault schedule, the
 * client actions, and the policies. fast-check generates and shrinks `Scenario`s; the CLI builds
 * one from its flags (`workload.ts`). A run is a pure function of its scenario.
 *
 * Naming in the world: server `s` (0-based) is `hs{s+1}.test`; user `u` (global index) lives on
 * server `floor(u / usersPerServer)` as `@u{u}:hs{s+1}.test`; device `d` (global index) belongs
 * to user `floor(d / devicesPerUser)` with device id `D{d % devicesPerUser}`.
 */
import type { PolicyOverrides } from "../engine/policies.ts";
import type { GatewayConfig } from "../gateway/index.ts";

/** Probabilities: per message for `loss`, `dup`, `reorder`, `gatewayError`; per second for the rest. */
export interface FaultRates {
  /** A request or a response (client, federation or gateway link) is lost. */
  readonly loss: number;
  /** A federation or notify request is delivered twice. */
  readonly dup: number;
  /** A federation or notify packet is held back by up to `reorderMaxMs`, so later ones overtake it. */
  readonly reorder: number;
  /** Per server pair (and server–gateway link), per second: a partition starts (both directions). */
  readonly partition: number;
  /** Per homeserver, per second: a crash; it restarts from its journal after a while. */
  readonly crash: number;
  /** A notify request is answered 500 by the gateway's front end without reaching the engine. */
  readonly gatewayError: number;
  /** Per second: the gateway restarts (keeping its durable state). */
  readonly gatewayRestart: number;
}

export const NO_FAULTS: FaultRates = { loss: 0, dup: 0, reorder: 0, partition: 0, crash: 0, gatewayError: 0, gatewayRestart: 0 };

/** A scheduled fault. `b: -1` names the push gateway. Faults at or after `healAt` are ignored. */
export type Fault =
  | { readonly at: number; readonly kind: "partition"; readonly a: number; readonly b: number; readonly durationMs: number }
  | { readonly at: number; readonly kind: "crash"; readonly server: number; readonly downMs: number }
  | { readonly at: number; readonly kind: "gatewayRestart"; readonly downMs: number };

export const GATEWAY = -1;

/** A recipient: a user (global index) and one of their devices (local index) or `*`. */
export interface Target {
  readonly user: number;
  readonly device: number | "*";
}

/** What a client does at `at`: its device sends to-device messages, or a room message. */
export type Action =
  | { readonly at: number; readonly kind: "send"; readonly from: number; readonly to: readonly Target[] }
  | { readonly at: number; readonly kind: "roomMessage"; readonly from: number };

export type PushkeyKind = "ok" | "invalid" | "transient";

/** A pusher set by a device at the start, pointing at the gateway. */
export interface PusherSpec {
  readonly device: number;
  readonly app: "apns" | "fcm";
  /** The simulated providers decide by pushkey prefix: `invalid…` is a bad token, `transient…` fails first. */
  readonly key: PushkeyKind;
}

/**
 * Rooms and pushers. The room model is local, so each server's users are grouped, `roomSize`
 * at a time in index order, into rooms of that server; a user's room messages go to their room.
 */
export interface PushSetup {
  readonly roomSize: number;
  readonly pushers: readonly PusherSpec[];
}

export interface Scenario {
  readonly seed: number;
  readonly servers: number;
  readonly usersPerServer: number;
  readonly devicesPerUser: number;
  readonly faults: FaultRates;
  readonly schedule: readonly Fault[];
  /** From this virtual time on: no loss, partitions healed, every server up. */
  readonly healAt: number;
  readonly actions: readonly Action[];
  readonly push: PushSetup | null;
  /** Merged over `SIM_POLICIES`. */
  readonly policies: PolicyOverrides;
  /** Devices whose sync loop uses the full `sync` command (the others use `syncToDevice`). */
  readonly fullSyncEvery: number;
}

/** Virtual-time constants of the network and clients, in milliseconds. */
export const TIMING = {
  clientLatency: [1, 5],
  federationLatency: [5, 30],
  gatewayLatency: [2, 10],
  reorderMaxMs: 400,
  /** A client gives up waiting for an answer and retries (same txnId, same since). */
  clientTimeoutMs: 1_500,
  /** A client's pause after a refused connection. */
  clientRetryMs: 200,
  federationTimeoutMs: 1_000,
  notifyTimeoutMs: 1_000,
  longPollMs: 10_000,
  /** How often the world looks for quiescence once faults have healed. */
  quiescenceTickMs: 250,
  /** How often each server runs `expire` (transaction-id retention, undelivered-message expiry). */
  expireEveryMs: 5_000,
} as const;

/**
 * Policies for simulations: the reference defaults, with back-off constants scaled down so runs
 * stay short (federation: 250 ms doubling to 8 s, instead of 10 min to 1 day; push: 200 ms
 * doubling to 4 s, giving up after 60 s, instead of 1 s, 1 h and 24 h).
 */
export const SIM_POLICIES: PolicyOverrides = {
  federation: { backoff: { initialMs: 250, multiplier: 2, maxMs: 8_000 } },
  push: { backoff: { initialMs: 200, multiplier: 2, maxMs: 4_000, giveUpAfterMs: 60_000 }, gatewayHosts: ["gateway.test"] },
};

export const GATEWAY_URL = "http://gateway.test/_matrix/push/v1/notify";
export const APP_IDS = { apns: "org.courier.sim.apns", fcm: "org.courier.sim.fcm" } as const;

/** The gateway of simulations: two simulated providers; its own retries scaled down too. */
export const SIM_GATEWAY: GatewayConfig = {
  apps: {
    [APP_IDS.apns]: { type: "apns", transientFailures: 2, failureRetentionMs: 28 * 86_400_000, script: {} },
    [APP_IDS.fcm]: { type: "fcm", transientFailures: 2, failureRetentionMs: 28 * 86_400_000, script: {} },
  },
  dedupeWindowMs: 86_400_000,
  legacyNotificationId: "ignore",
  retry: { initialDelayMs: 20, maxDelayMs: 1_000, maxAttempts: 8, giveUpAfterMs: 60_000 },
};

/**
 * Liveness bound: once faults have healed and the last action is done, everything acknowledged
 * is delivered within the largest federation back-off (a destination may have just started its
 * longest wait), plus the largest push back-off, plus 20 s for client timeouts, long-poll
 * wake-ups and draining backlogs.
 */
export function livenessBoundMs(policies: PolicyOverrides): number {
  const federation = policies.federation?.backoff?.maxMs ?? 8_000;
  const push = policies.push?.backoff?.maxMs ?? 4_000;
  return federation + push + 20_000;
}

export function serverName(server: number): string {
  return `hs${server + 1}.test`;
}

export function userCount(s: Scenario): number {
  return s.servers * s.usersPerServer;
}

export function deviceCount(s: Scenario): number {
  return userCount(s) * s.devicesPerUser;
}

export function serverOfUser(s: Scenario, user: number): number {
  return Math.floor(user / s.usersPerServer);
}

export function userIdOf(s: Scenario, user: number): string {
  return `@u${user}:${serverName(serverOfUser(s, user))}`;
}

/** The end of the workload: the later of `healAt` and the last action. */
export function workloadEnd(s: Scenario): number {
  let end = s.healAt;
  for (const action of s.actions) if (action.at > end) end = action.at;
  return end;
}
