// Crash test: two homeservers run as child processes and are killed with SIGKILL at seeded random
// moments while a client load runs (to-device sends retried with the same txnId, one sync loop per
// device following next_batch, sends across the two servers and with `*`, room messages to a user
// with a pusher on the sandbox gateway); each is restarted on its data directory and the load
// finishes. The history checker then finds no acknowledged to-device message lost, duplicated or
// reordered per sender (TD-11, TD-19, TD-21, FED-18, FED-20, FED-21), every acknowledged room
// message reached the provider exactly once (PUSH-26, GW-17), and retries of sends acknowledged
// before a kill deliver nothing new after the restart (TD-39, TD-45). Assumes `node
// bin/courier.mjs serve` on loopback; the gateway process is not killed. The seed is printed;
// COURIER_SEED replays one run; COURIER_DEEP runs more seeds with more kills.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { checkHistory, type History } from "../checkers/history.ts";
import { login, type MatrixSession, must, register } from "../support/http-client.ts";
import { type Child, freePort, kill9, killAll, spawnGateway, spawnHomeserver } from "../support/http-processes.ts";
import { tempDir, until } from "../support/http-servers.ts";
import { type Addressee, type Participant, persist, Recorder, roomLoop, seeded, sendOnce, senderLoop, sleep, syncLoop } from "./load.ts";

const DEEP = process.env.COURIER_DEEP !== undefined && process.env.COURIER_DEEP !== "";
const KILLS = DEEP ? 8 : 3;
const FIXED_SEED = process.env.COURIER_SEED === undefined ? null : Number(process.env.COURIER_SEED);
const SEEDS = FIXED_SEED !== null ? [FIXED_SEED] : Array.from({ length: DEEP ? 6 : 1 }, () => Math.floor(Math.random() * 2 ** 31));
const FCM = "org.courier.sandbox.fcm";

afterAll(killAll);

interface Server {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  readonly peers: Map<string, string>;
  child: Child;
}

interface World {
  readonly dir: string;
  readonly gateway: Child;
  readonly servers: readonly [Server, Server];
  readonly restartsMs: number[];
}

async function startWorld(dir: string): Promise<World> {
  const [portA, portB] = [await freePort(), await freePort()];
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const specs = [
    { name: "hsa", port: portA, dataDir: join(dir, "hsa"), peers: new Map([["hsb", url(portB)]]) },
    { name: "hsb", port: portB, dataDir: join(dir, "hsb"), peers: new Map([["hsa", url(portA)]]) },
  ];
  const [gateway, a, b] = await Promise.all([
    spawnGateway({ dataDir: join(dir, "gateway"), logFile: join(dir, "gateway.log") }),
    ...specs.map((s) => spawnHomeserver({ ...s, logFile: join(dir, `${s.name}.log`) })),
  ]);
  if (gateway === undefined || a === undefined || b === undefined) throw new Error("a process did not start");
  const [sa, sb] = specs as [(typeof specs)[0], (typeof specs)[0]];
  return { dir, gateway, servers: [{ ...sa, child: a }, { ...sb, child: b }], restartsMs: [a.startedMs, b.startedMs] };
}

async function restart(world: World, server: Server): Promise<void> {
  server.child = await spawnHomeserver({ ...server, logFile: join(world.dir, `${server.name}.log`) });
  world.restartsMs.push(server.child.startedMs);
}

interface Cast {
  readonly addressees: Addressee[];
  readonly senders: Participant[];
  readonly syncers: Participant[];
  /** Per server: the room sender, the room, the pushkey of the other member's pusher, a pinger. */
  readonly rooms: { sender: Participant; roomId: string; pushkey: string; pinger: Participant; server: string }[];
}

const as = (key: string, session: MatrixSession): Participant => ({ key, session });

/** Per server: owner (with a pusher) and member of one room, and a spare device of the owner for pings. */
async function cast(world: World, seed: number): Promise<Cast> {
  const c: Cast = { addressees: [], senders: [], syncers: [], rooms: [] };
  for (const server of world.servers) {
    const base = `http://127.0.0.1:${server.port}`;
    const owner = as(`${server.name}/owner/D1`, await register(base, "owner", { deviceId: "D1" }));
    const spare = as(`${server.name}/owner/D2`, await login(base, owner.session.userId, { deviceId: "D2" }));
    const member = as(`${server.name}/member/D1`, await register(base, "member", { deviceId: "D1" }));
    const roomId = must(await owner.session.createRoom({ invite: [member.session.userId] })).room_id;
    must(await member.session.join(roomId));
    const pushkey = `crash-${server.name}-${seed}`;
    const url = `${world.gateway.url}/_matrix/push/v1/notify`;
    must(await owner.session.setPusher({ kind: "http", app_id: FCM, pushkey, app_display_name: "crash", device_display_name: "d", lang: "en", data: { url } }));
    c.addressees.push({ userId: owner.session.userId, devices: [owner, spare] }, { userId: member.session.userId, devices: [member] });
    c.senders.push(owner, member);
    c.syncers.push(owner, spare, member);
    c.rooms.push({ sender: member, roomId, pushkey, pinger: spare, server: server.name });
  }
  return c;
}

/**
 * After a restart, the restarted server sends a ping to the other and the harness waits until it
 * is committed there: the inbound transaction wakes the other side's destination from its
 * back-off (FED-21), so faults are healed before the next kill.
 */
async function heal(c: Cast, victim: string, pings: { n: number }, recorder: Recorder): Promise<void> {
  const from = c.rooms.find((r) => r.server === victim)?.pinger;
  const to = c.rooms.find((r) => r.server !== victim)?.pinger;
  const addressee = c.addressees.find((a) => a.devices.some((d) => d.key === to?.key));
  if (from === undefined || to === undefined || addressee === undefined) throw new Error("no pingers");
  const seq = 1_000_000 + pings.n++;
  await sendOnce(from, [{ addressee, device: to }], seq, recorder);
  await until(() => recorder.seen.get(to.key)?.has(`${from.key}#${seq}`) ?? false, `the ping from ${victim} (liveness after restart)`, 20_000);
}

/** Retries of sends acknowledged before the kill: 200 {} and the same event ids (TD-38, TD-39). */
async function replay(c: Cast, victim: string, killedAt: number, rng: () => number, recorder: Recorder): Promise<number> {
  let replays = 0;
  for (const sender of c.senders.filter((s) => s.key.startsWith(`${victim}/`))) {
    const before = (recorder.acked.get(sender.key) ?? []).filter((a) => a.at < killedAt);
    for (const acked of before.filter(() => rng() < 0.2).slice(0, 3)) {
      const answer = await persist(() => sender.session.sendToDevice("org.courier.crash", acked.txnId, acked.messages), recorder);
      expect(answer).toMatchObject({ status: 200, body: {} });
      replays++;
    }
    const rooms = (recorder.roomSends.get(sender.key) ?? []).filter((a) => a.at < killedAt);
    for (const acked of rooms.filter(() => rng() < 0.2).slice(0, 2)) {
      const answer = await persist(() => sender.session.send(acked.roomId, "m.room.message", acked.txnId, acked.body), recorder);
      expect(must(answer).event_id).toBe(acked.eventId);
      replays++;
    }
  }
  return replays;
}

async function deliveredEventIds(world: World, pushkey: string): Promise<string[]> {
  const res = await fetch(`${world.gateway.url}/_courier/deliveries?pushkey=${encodeURIComponent(pushkey)}`);
  const body = (await res.json()) as { deliveries: { event_id?: string }[] };
  return body.deliveries.flatMap((d) => (d.event_id === undefined ? [] : [d.event_id]));
}

/** The to-device verdicts: one over everything (lost, duplicated, unexpected), one per sender for order. */
function judge(recorder: Recorder) {
  const all: History = { sends: recorder.sends.map((s) => ({ ...s, order: 0 })), chains: recorder.chains };
  const perSender = [...new Set(recorder.sends.map((s) => s.sender))].map((sender) => {
    const mine = (id: string) => id.startsWith(`${sender}#`);
    const chains = new Map([...recorder.chains].map(([device, chain]) => [device, chain.map((r) => r.filter(mine))]));
    return checkHistory({ sends: recorder.sends.filter((s) => s.sender === sender), chains }).reordered;
  });
  return { ...checkHistory(all), reordered: perSender.flat() };
}

/** The kill schedule: a seeded pause, SIGKILL one server, a seeded downtime, restart, heal, replay. */
async function killAndRestart(world: World, c: Cast, rng: () => number, recorder: Recorder): Promise<number> {
  const pings = { n: 0 };
  let replays = 0;
  for (let k = 0; k < KILLS; k++) {
    await sleep(400 + rng() * 1_100);
    const victim = world.servers[rng() < 0.5 ? 0 : 1];
    const killedAt = Date.now();
    await kill9(victim.child);
    await sleep(rng() * 300);
    await restart(world, victim);
    await heal(c, victim.name, pings, recorder);
    replays += await replay(c, victim.name, killedAt, rng, recorder);
  }
  return replays;
}

/** Per pushkey: the acknowledged room event ids, and what the provider got once the pushes settle. */
function pushOutcomes(world: World, c: Cast, recorder: Recorder) {
  return Promise.all(
    c.rooms.map(async (r) => {
      const expected = (recorder.roomSends.get(r.sender.key) ?? []).map((a) => a.eventId).sort();
      await until(async () => (await deliveredEventIds(world, r.pushkey)).length >= expected.length, `the pushes for ${r.pushkey}`, 30_000).catch(() => {});
      return { pushkey: r.pushkey, expected, delivered: (await deliveredEventIds(world, r.pushkey)).sort() };
    }),
  );
}

function summary(seed: number, world: World, recorder: Recorder, replays: number, roomMessages: number): string {
  const committed = [...recorder.chains.values()].reduce((n, chain) => n + chain.flat().length, 0);
  const server = (key: string) => key.split("/")[0];
  const federated = recorder.sends.filter((s) => s.recipients.some((r) => server(r) !== server(s.sender))).length;
  const restartMs = world.restartsMs.map((m) => Math.round(m));
  return JSON.stringify({ crash: { seed, kills: KILLS, restartMs, toDeviceSends: recorder.sends.length, federatedSends: federated, committed, roomMessages, replays, retries: recorder.retries } });
}

async function crashRun(seed: number): Promise<void> {
  const rng = seeded(seed);
  const dir = tempDir("courier-crash-");
  mkdirSync(join(dir, "gateway"));
  const world = await startWorld(dir);
  const c = await cast(world, seed);
  const recorder = new Recorder();
  const failures: unknown[] = [];
  const stop = { load: false, sync: false };
  // A loop that fails stops the run at once; its error is reported with the seed below.
  const track = (p: Promise<unknown>) =>
    p.catch((e: unknown) => {
      failures.push(e);
      stop.load = true;
      stop.sync = true;
    });
  const syncs = c.syncers.map((d) => track(syncLoop(d, recorder, () => stop.sync)));
  const load = [
    ...c.senders.map((s) => track(senderLoop(s, c.addressees, seeded(Math.floor(rng() * 2 ** 31)), recorder, () => stop.load))),
    ...c.rooms.map((r) => track(roomLoop(r.sender, r.roomId, seeded(Math.floor(rng() * 2 ** 31)), recorder, () => stop.load))),
  ];
  let replays = 0;
  try {
    replays = await killAndRestart(world, c, rng, recorder);
  } catch (e) {
    failures.push(e);
  }
  stop.load = true;
  await Promise.all(load);
  await until(() => failures.length > 0 || recorder.missing() === 0, "every acknowledged to-device message to be committed", 30_000).catch(() => {});
  stop.sync = true;
  await Promise.all(syncs);
  const pushes = await pushOutcomes(world, c, recorder);
  console.log(summary(seed, world, recorder, replays, pushes.reduce((n, p) => n + p.expected.length, 0)));
  for (const s of world.servers) await kill9(s.child);
  await kill9(world.gateway);
  const failure = `seed ${seed} (replay with COURIER_SEED=${seed}; data and logs in ${dir})`;
  const verdict = judge(recorder);
  const found = { failures: failures.map(String), lost: verdict.lost.slice(0, 20), duplicated: verdict.duplicated.slice(0, 20), unexpected: verdict.unexpected.slice(0, 20), reordered: verdict.reordered.slice(0, 20) };
  expect(found, failure).toEqual({ failures: [], lost: [], duplicated: [], unexpected: [], reordered: [] });
  for (const p of pushes) expect(p.delivered, `${failure}: ${p.pushkey}`).toEqual(p.expected);
  rmSync(dir, { recursive: true, force: true });
}

describe("SIGKILL during a client load", () => {
  test.each(SEEDS)(`homeservers killed ${KILLS} times (seed %i): no acknowledged message lost or duplicated, pushes exactly once at the provider`, crashRun, (DEEP ? 300 : 120) * 1000);
});
