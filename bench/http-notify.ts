/**
 * Homeserver → push gateway, end to end: room messages go to a room whose members each have an
 * http pusher on a local `courier serve gateway` (sandbox APNS app), and notifications are
 * counted where they end, in the gateway's deliveries (`GET /_courier/deliveries`, `total`).
 * PUSH-2: each is a POST to the pusher's URL; GW-12: the gateway serves it. The homeserver keeps
 * one notification in flight per pusher, so the concurrency is the number of pushers.
 *
 * Baseline, in the same run: the notify body the homeserver really sends (captured by pointing
 * one pusher at the bare server), POSTed by autocannon to the bare server that parses it and
 * answers `{"rejected":[]}`, with as many connections as there are pushers.
 */
import { type Account, createRoom, JsonClient, join, register, roomSendPath, setPusher } from "./client.ts";
import { runLoad } from "./load.ts";
import { type RunningChild, startBareProcess, startGatewayProcess, startHomeserverProcess } from "./processes.ts";
import { formatNumber, measured, type Section } from "./results.ts";
import { nowMs, sleep } from "./stats.ts";
import { SERVER_NAME } from "./http-send.ts";

export interface NotifyOptions {
  readonly pushers: number;
  /** Seconds the measured run should last (the message count is sized from a warm-up). */
  readonly durationS: number;
  readonly warmupS: number;
  readonly progress: (line: string) => void;
}

const APP_ID = "org.courier.sandbox.apns";
const NOTIFY_PATH = "/_matrix/push/v1/notify";

async function deliveredTotal(gateway: JsonClient): Promise<number> {
  const r = await gateway.ok("GET", "/_courier/deliveries?pushkey=-none-");
  if (typeof r.total !== "number") throw new Error("gateway deliveries have no total");
  return r.total;
}

interface Room {
  readonly poster: Account;
  readonly roomId: string;
}

/** A room of `members` users, each with a pusher at `gatewayUrl`; `poster` sends into it. */
async function pushRoom(hs: JsonClient, prefix: string, members: number, gatewayUrl: string): Promise<Room> {
  const poster = await register(hs, `${prefix}poster`);
  const accounts: Account[] = [];
  for (let i = 0; i < members; i++) {
    const member = await register(hs, `${prefix}member${i}`);
    await setPusher(hs, member, APP_ID, `${prefix}key${i}`, gatewayUrl);
    accounts.push(member);
  }
  const roomId = await createRoom(hs, poster, accounts.map((a) => a.userId));
  for (const member of accounts) await join(hs, member, roomId);
  return { poster, roomId };
}

let txnCounter = 0;

/** Send `count` room messages, `window` requests in flight at a time. */
async function post(hs: JsonClient, room: Room, count: number, window: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const body = { msgtype: "m.text", body: `bench ${txnCounter}` };
      await hs.ok("PUT", roomSendPath(room.roomId, `n${txnCounter++}`), { token: room.poster.token, body });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
}

/** Wait until the gateway has delivered `target` in all; the time it was first seen there. */
async function deliveredBy(gateway: JsonClient, target: number, timeoutMs: number): Promise<number> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const total = await deliveredTotal(gateway);
    if (total >= target) return nowMs();
    if (nowMs() > deadline) throw new Error(`gateway delivered ${total} of ${target} in time`);
    await sleep(20);
  }
}

/** Wait until the delivered total has not moved for `quietMs` (setup notifications, e.g. invites). */
async function settle(gateway: JsonClient, quietMs: number): Promise<void> {
  let last = await deliveredTotal(gateway);
  let since = nowMs();
  while (nowMs() - since < quietMs) {
    await sleep(50);
    const total = await deliveredTotal(gateway);
    if (total !== last) {
      last = total;
      since = nowMs();
    }
  }
}

/** Messages posted, then time until every notification for them reached the providers. */
async function endToEnd(hs: JsonClient, gateway: JsonClient, room: Room, messages: number, pushers: number): Promise<{ perSecond: number; ms: number }> {
  const start = await deliveredTotal(gateway);
  const started = nowMs();
  await post(hs, room, messages, 4);
  const done = await deliveredBy(gateway, start + messages * pushers, 120_000);
  return { perSecond: (messages * pushers * 1000) / (done - started), ms: done - started };
}

/** The body the homeserver really POSTs, captured at the bare server. */
async function captureNotifyBody(hs: JsonClient, bare: RunningChild): Promise<string> {
  const room = await pushRoom(hs, "capture", 1, bare.url);
  await post(hs, room, 1, 1);
  const client = new JsonClient(bare.url);
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const last = await client.request("GET", "/_bench/last");
      if (last.text.includes('"m.room.message"')) return last.text;
      await sleep(10);
    }
    throw new Error("no notify body reached the bare server");
  } finally {
    client.close();
  }
}

async function bareNotify(bare: RunningChild, body: string, options: NotifyOptions): Promise<number> {
  const spec = { url: `${bare.url}${NOTIFY_PATH}`, connections: options.pushers, method: "POST" as const, headers: { "Content-Type": "application/json" }, body };
  if (options.warmupS > 0) await runLoad({ ...spec, durationS: options.warmupS });
  const r = await runLoad({ ...spec, durationS: options.durationS });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`bare notify load failed: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.perSecond;
}

/** Courier's figure: a room of pushers, a warm-up that sizes the run, then the measured run. */
async function courierNotify(hs: JsonClient, gateway: JsonClient, gatewayUrl: string, options: NotifyOptions): Promise<{ perSecond: number; ms: number; messages: number }> {
  const room = await pushRoom(hs, "", options.pushers, gatewayUrl);
  await settle(gateway, 300);
  const warm = await endToEnd(hs, gateway, room, Math.max(2, Math.ceil((options.warmupS * 2000) / options.pushers)), options.pushers);
  const messages = Math.max(2, Math.round((warm.perSecond * options.durationS) / options.pushers));
  options.progress(`  warm-up ${formatNumber(warm.perSecond)} notifications/s; measuring ${messages} room messages × ${options.pushers} pushers`);
  const run = await endToEnd(hs, gateway, room, messages, options.pushers);
  options.progress(`  Courier: ${formatNumber(run.perSecond)} notifications/s end to end (${formatNumber(run.ms / 1000)} s)`);
  return { ...run, messages };
}

function notifySection(bare: number, run: { perSecond: number; ms: number; messages: number }, bodyBytes: number, options: NotifyOptions): Section {
  return {
    name: "notify",
    title: "Homeserver → push gateway notifications, end to end",
    conditions: `courier serve homeserver (in memory) and courier serve gateway (sandbox, simulated APNS) in two processes; ${options.pushers} members with one pusher each in one room; room messages posted 4 at a time from this process, notifications counted at the gateway's deliveries; baseline: autocannon POSTing the captured ${bodyBytes}-byte notify body to bare node:http with ${options.pushers} connections; 3 processes on the same cores`,
    measurements: [
      measured({ key: "bare", label: "bare node:http POST of the notify body", value: bare, unit: "POST/s" }),
      measured({
        key: "courier",
        label: "Courier homeserver → gateway → provider",
        value: run.perSecond,
        unit: "notifications/s",
        baseline: { label: "bare node:http POST", value: bare },
        detail: { messages: run.messages, pushers: options.pushers, seconds: run.ms / 1000, notifyBodyBytes: bodyBytes },
      }),
    ],
    series: [{ name: "per second", points: [{ x: "bare POST", y: bare }, { x: "Courier end to end", y: run.perSecond }] }],
  };
}

export async function measureHttpNotify(options: NotifyOptions): Promise<Section> {
  options.progress(`notify: homeserver → gateway, ${options.pushers} pushers in one room`);
  const children: RunningChild[] = [];
  const clients: JsonClient[] = [];
  try {
    const gatewayChild = await startGatewayProcess();
    children.push(gatewayChild);
    const hsChild = await startHomeserverProcess(SERVER_NAME, null);
    children.push(hsChild);
    const bareChild = await startBareProcess('{"rejected":[]}');
    children.push(bareChild);
    const hs = new JsonClient(hsChild.url);
    const gateway = new JsonClient(gatewayChild.url);
    clients.push(hs, gateway);
    const body = await captureNotifyBody(hs, bareChild);
    options.progress(`  captured notify body: ${Buffer.byteLength(body)} bytes; bare POST baseline`);
    const bare = await bareNotify(bareChild, body, options);
    await bareChild.stop();
    options.progress(`  bare: ${formatNumber(bare)} POST/s; setting up the room`);
    const run = await courierNotify(hs, gateway, gatewayChild.url, options);
    return notifySection(bare, run, Buffer.byteLength(body), options);
  } finally {
    for (const client of clients) client.close();
    for (const child of children) await child.stop();
  }
}
