/**
 * `PUT /sendToDevice` (TD-1) throughput over HTTP, beside a bare `node:http` server given the
 * very same requests: Courier's homeserver in memory, then with its durable store (`--data-dir`
 * on a temporary directory: every accepted command is journaled in SQLite before it is applied).
 * Each request has a fresh txnId and one recipient device.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonClient, register, sendToDevicePath } from "./client.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { type RunningChild, startBareProcess, startHomeserverProcess } from "./processes.ts";
import { formatNumber, type Measurement, measured, type Section } from "./results.ts";

export interface HttpRunOptions {
  /** Seconds of each measured load run. */
  readonly durationS: number;
  /** Seconds of load before each measured run (JIT warm-up), not counted. */
  readonly warmupS: number;
  readonly connections: number;
  readonly progress: (line: string) => void;
}

export const SERVER_NAME = "bench.test";
const RECIPIENT_DEVICE = "RCPT";

/** A small encrypted-looking to-device content, about the size of an Olm key share. */
export function toDeviceContent(size: number): Record<string, unknown> {
  return { algorithm: "m.olm.v1.curve25519-aes-sha2", sender_key: "Bench0SenderKey0Curve25519PublicKeyXXXXXXXXXX", body: "x".repeat(size) };
}

interface Target {
  readonly url: string;
  readonly token: string;
  readonly recipient: string;
}

/** On a homeserver: a sender and a recipient with one device. */
async function accountsOn(url: string): Promise<Target> {
  const client = new JsonClient(url);
  try {
    const sender = await register(client, "sender");
    const recipient = await register(client, "recipient", RECIPIENT_DEVICE);
    return { url, token: sender.token, recipient: recipient.userId };
  } finally {
    client.close();
  }
}

let txnCounter = 0;

async function loadSendToDevice(target: Target, options: HttpRunOptions, durationS: number): Promise<LoadResult> {
  const body = JSON.stringify({ messages: { [target.recipient]: { [RECIPIENT_DEVICE]: toDeviceContent(64) } } });
  return runLoad({
    url: target.url,
    connections: options.connections,
    durationS,
    method: "PUT",
    headers: { Authorization: `Bearer ${target.token}`, "Content-Type": "application/json" },
    body,
    path: () => sendToDevicePath("m.bench", `t${(txnCounter++).toString(36)}`),
  });
}

async function measureOn(label: string, child: RunningChild, target: Target, options: HttpRunOptions): Promise<LoadResult> {
  try {
    if (options.warmupS > 0) await loadSendToDevice(target, options, options.warmupS);
    const result = await loadSendToDevice(target, options, options.durationS);
    options.progress(`  ${label}: ${formatNumber(result.perSecond)} req/s (p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, non-2xx ${result.non2xx}, errors ${result.errors})`);
    return result;
  } finally {
    await child.stop();
  }
}

function detail(r: LoadResult): Record<string, number> {
  return { requests: r.ok, non2xx: r.non2xx, errors: r.errors, latencyP50Ms: r.latencyP50Ms, latencyP99Ms: r.latencyP99Ms, durationS: r.durationS };
}

export async function measureHttpSend(options: HttpRunOptions): Promise<Section> {
  options.progress("http-send: bare node:http, PUT with the same body");
  const bareChild = await startBareProcess("{}");
  const bare = await measureOn("bare", bareChild, { url: bareChild.url, token: "bare", recipient: `@recipient:${SERVER_NAME}` }, options);

  options.progress("http-send: Courier homeserver, in memory");
  const memChild = await startHomeserverProcess(SERVER_NAME, null);
  const memory = await measureOn("in memory", memChild, await accountsOn(memChild.url), options);

  options.progress("http-send: Courier homeserver, durable (--data-dir on a temporary directory)");
  const dir = mkdtempSync(join(tmpdir(), "courier-bench-"));
  let durable: LoadResult;
  try {
    const durChild = await startHomeserverProcess(SERVER_NAME, dir);
    durable = await measureOn("durable", durChild, await accountsOn(durChild.url), options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const baseline = { label: "bare node:http", value: bare.perSecond };
  const measurements: Measurement[] = [
    measured({ key: "bare", label: "bare node:http (read, JSON.parse, answer {})", value: bare.perSecond, unit: "req/s", detail: detail(bare) }),
    measured({ key: "memory", label: "Courier homeserver, in memory", value: memory.perSecond, unit: "req/s", baseline, target: { kind: "atLeast", bound: 0.6, of: "ratio to bare" }, detail: detail(memory) }),
    measured({ key: "durable", label: "Courier homeserver, durable (SQLite journal)", value: durable.perSecond, unit: "req/s", baseline, target: { kind: "atLeast", bound: 0.4, of: "ratio to bare" }, detail: detail(durable) }),
  ];
  const failures = [memory, durable].filter((r) => r.non2xx > 0 || r.errors > 0);
  return {
    name: "http-send",
    title: "PUT /sendToDevice over HTTP (fresh txnId per request, 1 recipient device)",
    conditions: `autocannon, ${options.connections} keep-alive connections, ${options.warmupS} s warm-up + ${options.durationS} s measured per server; server in its own process, load generator in this one, both on the same cores; 127.0.0.1; server request logs on (to /dev/null)`,
    measurements,
    series: [{ name: "req/s", points: measurements.map((m) => ({ x: m.key, y: m.value })) }],
    ...(failures.length > 0 ? { notes: ["some requests failed (non-2xx or errors): see detail"] } : {}),
  };
}
