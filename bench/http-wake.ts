/**
 * `/sync` wake-up latency (TD-55: "a long-polling /sync returns as soon as the device has a new
 * send-to-device message"). N devices each hold a long-poll open; one at a time, a send goes to
 * one of them, and the latency is from the start of that `PUT /sendToDevice` to the arrival of
 * the woken `/sync` answer carrying the message. The woken device then polls again, so N stay
 * parked throughout. Baseline: the round trip of the same PUT to the bare server, same client.
 */
import { type Account, JsonClient, register, sendToDevicePath, sync } from "./client.ts";
import { startBareProcess, startHomeserverProcess } from "./processes.ts";
import { formatNumber, measured, type Section } from "./results.ts";
import { mean, nowMs, quantile, sleep } from "./stats.ts";
import { SERVER_NAME, toDeviceContent } from "./http-send.ts";

export interface WakeOptions {
  /** Long-polls held open at once. */
  readonly waiters: number;
  /** Timed sends (one sample each). */
  readonly samples: number;
  /** Sends before the timed ones (JIT warm-up), not counted; the bare baseline gets as many. */
  readonly warmup: number;
  readonly progress: (line: string) => void;
}

const LONG_POLL_MS = 30_000;

interface Parked {
  readonly device: Account;
  since: string;
  answer: Promise<{ nextBatch: string; toDevice: number }>;
}

function park(client: JsonClient, p: Parked): void {
  p.answer = sync(client, p.device, p.since, LONG_POLL_MS);
  // Polls still parked when the run ends are cut off by closing the client: expected.
  p.answer.catch(() => {});
}

async function sendOne(client: JsonClient, sender: Account, to: Account, n: number): Promise<void> {
  const body = { messages: { [to.userId]: { [to.deviceId]: toDeviceContent(64) } } };
  await client.ok("PUT", sendToDevicePath("m.bench", `w${n}`), { token: sender.token, body });
}

/** Latency samples in ms, from send start to the woken sync's answer. */
async function wakeSamples(url: string, options: WakeOptions): Promise<number[]> {
  const client = new JsonClient(url);
  try {
    const sender = await register(client, "waker");
    const parked: Parked[] = [];
    for (let i = 0; i < options.waiters; i++) {
      const device = await register(client, `sleeper${i}`);
      const first = await sync(client, device, null, 0);
      const p: Parked = { device, since: first.nextBatch, answer: Promise.resolve(first) };
      park(client, p);
      parked.push(p);
    }
    // Give every long-poll time to reach the server and park there.
    await sleep(300);
    const samples: number[] = [];
    for (let n = 0; n < options.warmup + options.samples; n++) {
      const p = parked[n % parked.length];
      if (p === undefined) break;
      const started = nowMs();
      const [woken] = await Promise.all([p.answer, sendOne(client, sender, p.device, n)]);
      if (n >= options.warmup) samples.push(nowMs() - started);
      if (woken.toDevice !== 1) throw new Error(`woken sync carried ${woken.toDevice} to-device events, expected 1`);
      p.since = woken.nextBatch;
      park(client, p);
    }
    return samples;
  } finally {
    client.close();
  }
}

/** Round trips of the same PUT to the bare server, one at a time. */
async function bareSamples(url: string, count: number, warmup: number): Promise<number[]> {
  const client = new JsonClient(url);
  const body = { messages: { "@sleeper0:bench.test": { DEVICE: toDeviceContent(64) } } };
  try {
    const samples: number[] = [];
    for (let n = 0; n < warmup + count; n++) {
      const started = nowMs();
      await client.ok("PUT", sendToDevicePath("m.bench", `b${n}`), { token: "bare", body });
      if (n >= warmup) samples.push(nowMs() - started);
    }
    return samples;
  } finally {
    client.close();
  }
}

type Latencies = { samples: number; p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };

function summary(samples: readonly number[]): Latencies {
  return { samples: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99), maxMs: quantile(samples, 1), meanMs: mean(samples) };
}

export async function measureHttpWake(options: WakeOptions): Promise<Section> {
  options.progress(`http-wake: bare round trip, ${options.samples} sequential PUTs`);
  const bareChild = await startBareProcess("{}");
  const bare = await bareSamples(bareChild.url, options.samples, options.warmup).finally(() => bareChild.stop());
  options.progress(`http-wake: ${options.waiters} long-polls parked, ${options.samples} sends, one at a time`);
  const hsChild = await startHomeserverProcess(SERVER_NAME, null);
  const wake = await wakeSamples(hsChild.url, options).finally(() => hsChild.stop());
  const b = summary(bare);
  const w = summary(wake);
  options.progress(`  wake-up p50 ${formatNumber(w.p50Ms )} ms, p99 ${formatNumber(w.p99Ms )} ms; bare round trip p50 ${formatNumber(b.p50Ms )} ms, p99 ${formatNumber(b.p99Ms )} ms`);
  const label = "bare PUT round trip";
  return {
    name: "http-wake",
    title: "/sync long-poll wake-up latency (send start → woken /sync answer)",
    conditions: `${options.waiters} long-polls parked on the in-memory homeserver (timeout ${LONG_POLL_MS / 1000} s), ${options.warmup} warm-up + ${options.samples} timed sends one at a time, round-robin over them; node:http keep-alive client in this process; 127.0.0.1`,
    measurements: [
      measured({ key: "p50", label: "wake-up latency p50", value: w.p50Ms, unit: "ms", baseline: { label, value: b.p50Ms }, detail: w }),
      measured(
        { key: "p99", label: "wake-up latency p99", value: w.p99Ms, unit: "ms", baseline: { label, value: b.p99Ms  }, target: { kind: "atMost", bound: 5, of: "p99 (ms)" }, detail: { ...w, bareMaxMs: b.maxMs, bareMeanMs: b.meanMs } },
        "value",
      ),
    ],
    series: [
      { name: "bare PUT round trip", points: [{ x: "p50", y: b.p50Ms  }, { x: "p99", y: b.p99Ms }] },
      { name: "Courier wake-up", points: [{ x: "p50", y: w.p50Ms  }, { x: "p99", y: w.p99Ms }] },
    ],
  };
}
