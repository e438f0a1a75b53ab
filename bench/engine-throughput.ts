/**
 * Engine throughput for send + sync + acknowledge (TD-1, TD-19, TD-21), in messages per second on
 * one core, at 1, 10 and 100 recipients per request. No HTTP: the commands go straight to
 * `apply`, as the shell would hand them over after parsing.
 *
 * One round: `sendsPerRound` requests from one sender, each to every recipient device (one
 * device per recipient user, a distinct content object per device as an Olm payload would be);
 * then each recipient syncs once with its last `next_batch`, acknowledging the previous round and
 * receiving this one. Only `apply` is timed; building the request bodies is not.
 *
 * Baseline, same bodies, same rounds: a bare queue (a Map of arrays: push each content, hand out
 * and drop up to 100 per sync), i.e. moving the references and nothing else — no auth, body
 * check, size check, transaction record or stream positions.
 */
import { apply, createHomeserver, type Homeserver } from "../src/engine/homeserver.ts";
import type { AccessToken, DeviceId, ServerName, TxnId } from "../src/ids.ts";
import { formatNumber, measured, type Measurement, type Section } from "./results.ts";
import { nowMs } from "./stats.ts";

export interface EngineOptions {
  readonly recipients: readonly number[];
  readonly sendsPerRound: number;
  /** Timed milliseconds to accumulate per case (warm-up not included). */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly progress: (line: string) => void;
}

const SERVER = "bench.test";
const DEVICE = "D" as DeviceId;
const KEY = "Bench0SenderKey0Curve25519PublicKeyXXXXXXXXXX";

type Content = { readonly algorithm: string; readonly sender_key: string; readonly body: string };
type Body = { readonly messages: { [userId: string]: { [deviceId: string]: Content } } };

function bodies(userIds: readonly string[], count: number, round: number): Body[] {
  const out: Body[] = [];
  for (let s = 0; s < count; s++) {
    const messages: Body["messages"] = {};
    for (const [i, userId] of userIds.entries()) {
      messages[userId] = { [DEVICE]: { algorithm: "m.olm.v1.curve25519-aes-sha2", sender_key: KEY, body: `r${round}s${s}u${i}:${"x".repeat(48)}` } };
    }
    out.push({ messages });
  }
  return out;
}

/** Something that accepts a round of sends and syncs; returns the time spent in ms. */
interface System {
  round(batch: readonly Body[]): number;
}

function courierEngine(userIds: readonly string[]): System {
  const hs: Homeserver = createHomeserver({ serverName: SERVER as ServerName });
  const register = (username: string, token: string) => {
    const r = apply(hs, { type: "register", username, deviceId: DEVICE, accessToken: token as AccessToken }, 0);
    if (!r.outcome.ok) throw new Error(`register ${username}: ${r.outcome.error.message}`);
  };
  register("sender", "t-sender");
  for (let i = 0; i < userIds.length; i++) register(`r${i}`, `t-r${i}`);
  const since: (string | undefined)[] = userIds.map(() => undefined);
  let txn = 0;
  let now = 1;
  return {
    round(batch) {
      now++;
      const started = nowMs();
      for (const body of batch) {
        const r = apply(hs, { type: "sendToDevice", token: "t-sender" as AccessToken, eventType: "m.bench", txnId: `t${txn++}` as TxnId, body }, now);
        if (!r.outcome.ok) throw new Error(`sendToDevice: ${r.outcome.error.message}`);
      }
      for (let i = 0; i < userIds.length; i++) {
        const prev = since[i];
        const cmd = { type: "syncToDevice" as const, token: `t-r${i}` as AccessToken, ...(prev === undefined ? {} : { since: prev }) };
        const r = apply(hs, cmd, now);
        if (!r.outcome.ok || r.outcome.events.length !== batch.length) throw new Error("sync did not return the round's messages");
        since[i] = r.outcome.nextBatch;
      }
      return nowMs() - started;
    },
  };
}

function bareQueue(userIds: readonly string[]): System {
  const inboxes = new Map<string, unknown[]>();
  return {
    round(batch) {
      const started = nowMs();
      for (const body of batch) {
        for (const [userId, byDevice] of Object.entries(body.messages)) {
          for (const [deviceId, content] of Object.entries(byDevice)) {
            const key = `${userId}|${deviceId}`;
            const inbox = inboxes.get(key) ?? [];
            if (inbox.length === 0) inboxes.set(key, inbox);
            inbox.push({ sender: "@sender:bench.test", type: "m.bench", content });
          }
        }
      }
      for (const userId of userIds) {
        const taken = inboxes.get(`${userId}|${DEVICE}`)?.splice(0, 100) ?? [];
        if (taken.length !== batch.length) throw new Error("bare queue lost messages");
      }
      return nowMs() - started;
    },
  };
}

/** Rounds until `durationMs` of timed work has accumulated; messages per second. */
function drive(system: System, userIds: readonly string[], options: EngineOptions, durationMs: number, startRound: number): { perSecond: number; rounds: number } {
  let spent = 0;
  let rounds = 0;
  while (spent < durationMs) {
    spent += system.round(bodies(userIds, options.sendsPerRound, startRound + rounds));
    rounds++;
  }
  return { perSecond: (rounds * options.sendsPerRound * userIds.length * 1000) / spent, rounds };
}

function measureCase(recipients: number, options: EngineOptions): Measurement {
  const userIds = Array.from({ length: recipients }, (_, i) => `@r${i}:${SERVER}`);
  const engine = courierEngine(userIds);
  const bare = bareQueue(userIds);
  drive(bare, userIds, options, options.warmupMs, 0);
  const baseline = drive(bare, userIds, options, options.durationMs, 1_000_000);
  drive(engine, userIds, options, options.warmupMs, 0);
  const result = drive(engine, userIds, options, options.durationMs, 1_000_000);
  options.progress(`  ${recipients} recipient(s)/request: ${formatNumber(result.perSecond)} messages/s (bare queue ${formatNumber(baseline.perSecond)})`);
  return measured(
    {
      key: `r${recipients}`,
      label: `${recipients} recipient${recipients === 1 ? "" : "s"} per request`,
      value: result.perSecond,
      unit: "messages/s",
      baseline: { label: "bare queue", value: baseline.perSecond },
      ...(recipients === 100 ? { target: { kind: "atLeast" as const, bound: 1_000_000, of: "messages/s" } } : {}),
      detail: { rounds: result.rounds, sendsPerRound: options.sendsPerRound },
    },
    "value",
  );
}

export function measureEngineThroughput(options: EngineOptions): Section {
  options.progress(`engine: send + sync + acknowledge, ${options.sendsPerRound} sends per round, ${options.durationMs} ms timed per case`);
  const measurements = options.recipients.map((r) => measureCase(r, options));
  return {
    name: "engine",
    title: "Engine throughput: send + sync + acknowledge (one core, no HTTP)",
    conditions: `apply() called directly; per round ${options.sendsPerRound} sends from one device to every recipient (one device each, distinct ~140-byte contents), then one sync per recipient acknowledging the previous round; ${options.warmupMs} ms warm-up + ${options.durationMs} ms timed per case; body building not timed`,
    measurements,
    series: [
      { name: "Courier engine", points: measurements.map((m, i) => ({ x: options.recipients[i] ?? 0, y: m.value })) },
      { name: "bare queue", points: measurements.map((m, i) => ({ x: options.recipients[i] ?? 0, y: m.baseline?.value ?? 0 })) },
    ],
  };
}
