/**
 * Scenarios from a few numbers, for the CLI and for long runs: a population spread over the
 * servers (two devices per user when there are enough devices), `messages` client actions one
 * every `spacingMs` from random devices to random targets (explicit devices, `*`, several users,
 * users of other servers; with push, one action in five is a room message in the sender's room of
 * four), and a fault schedule
 * drawn per second from the rates: partitions of 1–10 s, crashes of 0.5–5 s, gateway restarts.
 */
import type { PolicyOverrides } from "../engine/policies.ts";
import { Random } from "./random.ts";
import { type Action, type Fault, type FaultRates, GATEWAY, type PushkeyKind, type PusherSpec, type Scenario, type Target } from "./scenario.ts";

export interface WorkloadParams {
  readonly seed: number;
  readonly servers: number;
  readonly devices: number;
  readonly messages: number;
  readonly faults: FaultRates;
  readonly push: boolean;
  readonly policies: PolicyOverrides;
  /** Virtual time between two client actions (default 10 ms: 100 actions a second). */
  readonly spacingMs?: number;
  /** When faults stop (default: when the last action is taken). */
  readonly healAt?: number;
}

function targets(r: Random, users: number, devicesPerUser: number): Target[] {
  const one = (): Target => ({ user: r.int(0, users - 1), device: r.chance(0.2) ? "*" : r.int(0, devicesPerUser - 1) });
  const roll = r.next();
  if (roll < 0.7) return [one()];
  if (roll < 0.9) return [one(), one()];
  return [one(), one(), one()];
}

function actions(r: Random, p: WorkloadParams, users: number, devicesPerUser: number): Action[] {
  const spacing = p.spacingMs ?? 10;
  const devices = users * devicesPerUser;
  const out: Action[] = [];
  for (let i = 0; i < p.messages; i++) {
    const at = i * spacing;
    const from = r.int(0, devices - 1);
    if (p.push && i % 5 === 4) out.push({ at, kind: "roomMessage", from });
    else out.push({ at, kind: "send", from, to: targets(r, users, devicesPerUser) });
  }
  return out;
}

function schedule(r: Random, p: WorkloadParams, healAt: number): Fault[] {
  const faults: Fault[] = [];
  const links: [number, number][] = [];
  for (let a = 0; a < p.servers; a++) {
    for (let b = a + 1; b < p.servers; b++) links.push([a, b]);
    if (p.push) links.push([a, GATEWAY]);
  }
  for (let second = 0; second * 1000 < healAt; second++) {
    const base = second * 1000;
    for (const [a, b] of links) {
      if (r.chance(p.faults.partition)) faults.push({ at: base + r.int(0, 999), kind: "partition", a, b, durationMs: r.int(1_000, 10_000) });
    }
    for (let server = 0; server < p.servers; server++) {
      if (r.chance(p.faults.crash)) faults.push({ at: base + r.int(0, 999), kind: "crash", server, downMs: r.int(500, 5_000) });
    }
    if (p.push && r.chance(p.faults.gatewayRestart)) faults.push({ at: base + r.int(0, 999), kind: "gatewayRestart", downMs: r.int(200, 3_000) });
  }
  return faults;
}

function pushers(r: Random, users: number, devicesPerUser: number): PusherSpec[] {
  const specs: PusherSpec[] = [];
  for (let u = 0; u < users; u++) {
    const roll = r.next();
    const key: PushkeyKind = roll < 0.8 ? "ok" : roll < 0.9 ? "transient" : "invalid";
    specs.push({ device: u * devicesPerUser, app: u % 2 === 0 ? "fcm" : "apns", key });
  }
  return specs;
}

export function workloadScenario(p: WorkloadParams): Scenario {
  if (p.servers < 1 || p.devices < 1) throw new RangeError("a world needs at least one server and one device");
  const r = new Random(p.seed, "workload");
  const devicesPerUser = p.devices >= 2 * p.servers ? 2 : 1;
  const usersPerServer = Math.max(1, Math.ceil(p.devices / (p.servers * devicesPerUser)));
  const users = usersPerServer * p.servers;
  const list = actions(r, p, users, devicesPerUser);
  const healAt = p.healAt ?? (list[list.length - 1]?.at ?? 0);
  return {
    seed: p.seed,
    servers: p.servers,
    usersPerServer,
    devicesPerUser,
    faults: p.faults,
    schedule: schedule(r, p, healAt),
    healAt,
    actions: list,
    push: p.push ? { roomSize: 4, pushers: pushers(r, users, devicesPerUser) } : null,
    policies: p.policies,
    fullSyncEvery: p.push ? 0 : 10,
  };
}
