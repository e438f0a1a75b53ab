/**
 * The simulated clients: one per device, each with a sender (one request at a time, retried with
 * the SAME txnId until it gets an answer) and a sync loop that follows its own `next_batch`
 * chain (one loop per device: DESIGN's exactly-once assumption). Also the setup every run starts
 * from: accounts and devices, and with push, rooms of each server's users and the pushers.
 */
import type { HomeserverCommand } from "../engine/homeserver.ts";
import type { AccessToken, DeviceId, TxnId, UserId } from "../ids.ts";
import type { SendRecord } from "./history.ts";
import type { Random } from "./random.ts";
import {
  type Action,
  APP_IDS,
  deviceCount,
  GATEWAY_URL,
  type PusherSpec,
  type Scenario,
  serverName,
  serverOfUser,
  type Target,
  userIdOf,
} from "./scenario.ts";

export const EVENT_TYPE = "m.sim";
const PASSWORD = "sim-password";

export interface SendJob {
  readonly device: number;
  readonly record: SendRecord;
  readonly command: HomeserverCommand;
}

export interface DeviceClient {
  readonly index: number;
  readonly server: number;
  readonly user: number;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly token: AccessToken;
  /** `@u0:hs1.test|D0`: the device's name in histories. */
  readonly key: string;
  /** `u0/D0`: the device's name in traces. */
  readonly label: string;
  readonly channel: Random;
  readonly fullSync: boolean;
  since: string | undefined;
  syncSerial: number;
  readonly queue: SendJob[];
  queueHead: number;
  current: SendJob | null;
  sendSerial: number;
  txnCounter: number;
}

export function deviceKey(userId: string, deviceId: string): string {
  return `${userId}|${deviceId}`;
}

export function createClients(s: Scenario, channel: (device: number) => Random): DeviceClient[] {
  const clients: DeviceClient[] = [];
  for (let d = 0; d < deviceCount(s); d++) {
    const user = Math.floor(d / s.devicesPerUser);
    const userId = userIdOf(s, user) as UserId;
    const deviceId = `D${d % s.devicesPerUser}` as DeviceId;
    clients.push({
      index: d,
      server: serverOfUser(s, user),
      user,
      userId,
      deviceId,
      token: `tok-${user}-${deviceId}` as AccessToken,
      key: deviceKey(userId, deviceId),
      label: `u${user}/${deviceId}`,
      channel: channel(d),
      fullSync: s.fullSyncEvery > 0 && d % s.fullSyncEvery === s.fullSyncEvery - 1,
      since: undefined,
      syncSerial: 0,
      queue: [],
      queueHead: 0,
      current: null,
      sendSerial: 0,
      txnCounter: 0,
    });
  }
  return clients;
}

function deviceIdOf(s: Scenario, target: Target): string {
  return target.device === "*" ? "*" : `D${target.device % s.devicesPerUser}`;
}

/** The to-device send of an action: one content `{msg: id}` for every target, and who gets it. */
function toDeviceJob(s: Scenario, client: DeviceClient, targets: readonly Target[], id: string, clients: readonly DeviceClient[]): SendJob {
  const messages: Record<string, Record<string, { msg: string }>> = {};
  const recipients = new Set<string>();
  for (const t of targets) {
    const user = t.user % (s.servers * s.usersPerServer);
    const userId = userIdOf(s, user);
    const deviceId = deviceIdOf(s, t);
    const byDevice = messages[userId] ?? {};
    byDevice[deviceId] = { msg: id };
    messages[userId] = byDevice;
    // TD-16: `*` is every device the user has; the population is fixed during a run.
    const first = user * s.devicesPerUser;
    for (let k = 0; k < s.devicesPerUser; k++) {
      const device = clients[first + k];
      if (device !== undefined && (deviceId === "*" || device.deviceId === deviceId)) recipients.add(device.key);
    }
  }
  const txnId = `t${++client.txnCounter}`;
  const command: HomeserverCommand = { type: "sendToDevice", token: client.token, eventType: EVENT_TYPE, txnId: txnId as TxnId, body: { messages } };
  return { device: client.index, record: newRecord(id, client, "toDevice", [...recipients], txnId), command };
}

/** The room of a user: their server's users grouped `roomSize` at a time. */
export function roomIdOf(s: Scenario, user: number): string {
  const server = serverOfUser(s, user);
  const size = Math.max(1, s.push?.roomSize ?? 1);
  return `!room${Math.floor((user - server * s.usersPerServer) / size)}:${serverName(server)}`;
}

function roomJob(s: Scenario, client: DeviceClient, id: string): SendJob {
  const txnId = `t${++client.txnCounter}`;
  const command: HomeserverCommand = {
    type: "sendEvent",
    token: client.token,
    roomId: roomIdOf(s, client.user),
    eventType: "m.room.message",
    txnId: txnId as TxnId,
    content: { msgtype: "m.text", body: id },
    // Event ids are `$<seed>_0`, so the notification of this message is `$<id>_0`.
    seed: id,
  };
  return { device: client.index, record: newRecord(id, client, "room", [], txnId), command };
}

function newRecord(id: string, client: DeviceClient, kind: SendRecord["kind"], recipients: string[], txnId: string): SendRecord {
  return { id, sender: client.key, origin: client.server, kind, recipients, txnId, outcome: "pending", order: -1, acceptedAt: -1, ackedAt: -1, attempts: 0 };
}

/** The job for action number `n`, or null when it does not apply (a room message without push). */
export function jobFor(s: Scenario, action: Action, n: number, clients: readonly DeviceClient[]): SendJob | null {
  const client = clients[action.from % clients.length];
  if (client === undefined) return null;
  if (action.kind === "send") return action.to.length === 0 ? null : toDeviceJob(s, client, action.to, `m${n}`, clients);
  return s.push === null ? null : roomJob(s, client, `r${n}`);
}

/** Unique per (device, app, kind); the simulated providers read the kind from the prefix. */
export function pushkeyOf(spec: PusherSpec, device: number): string {
  return `${spec.key === "ok" ? "pk" : spec.key}-${spec.app}-d${device}`;
}

/** What the world applies to server `server` at time 0, over no network: accounts, rooms, pushers. */
export function setupCommands(s: Scenario, server: number, clients: readonly DeviceClient[]): HomeserverCommand[] {
  const local = clients.filter((c) => c.server === server);
  const commands: HomeserverCommand[] = local.map((c): HomeserverCommand =>
    c.deviceId === "D0"
      ? { type: "register", username: `u${c.user}`, password: PASSWORD, deviceId: c.deviceId, accessToken: c.token }
      : { type: "login", user: `u${c.user}`, password: PASSWORD, deviceId: c.deviceId, accessToken: c.token },
  );
  if (s.push === null) return commands;
  const owners = local.filter((c) => c.deviceId === "D0");
  const size = Math.max(1, s.push.roomSize);
  for (let first = 0; first < owners.length; first += size) {
    const [creator, ...members] = owners.slice(first, first + size);
    if (creator === undefined) continue;
    const roomId = roomIdOf(s, creator.user);
    const seed = roomId.slice(1, roomId.indexOf(":"));
    commands.push({ type: "createRoom", token: creator.token, seed, body: { invite: members.map((c) => c.userId), name: seed } });
    for (const c of members) commands.push({ type: "join", token: c.token, roomIdOrAlias: roomId, seed: `j${c.user}` });
  }
  for (const { spec, client, pushkey } of pusherSpecs(s, clients)) {
    if (client.server !== server) continue;
    const body = {
      kind: "http",
      app_id: APP_IDS[spec.app],
      pushkey,
      app_display_name: "sim",
      device_display_name: client.label,
      lang: "en",
      data: { url: GATEWAY_URL },
    };
    commands.push({ type: "setPusher", token: client.token, body });
  }
  return commands;
}

/** The pushers of a scenario, once each (two specs for one device and key collapse). */
export function pusherSpecs(s: Scenario, clients: readonly DeviceClient[]): { spec: PusherSpec; client: DeviceClient; pushkey: string }[] {
  const seen = new Set<string>();
  const out: { spec: PusherSpec; client: DeviceClient; pushkey: string }[] = [];
  for (const spec of s.push?.pushers ?? []) {
    const client = clients[spec.device % clients.length];
    if (client === undefined) continue;
    const pushkey = pushkeyOf(spec, client.index);
    if (seen.has(pushkey)) continue;
    seen.add(pushkey);
    out.push({ spec, client, pushkey });
  }
  return out;
}

export function pusherIdOf(userId: string, app: PusherSpec["app"], pushkey: string): string {
  return JSON.stringify([userId, APP_IDS[app], pushkey]);
}
