/**
 * What a sync costs as the inbox grows (TD-21, TD-22): with n messages pending for one device,
 * the time of one `syncToDevice` that acknowledges the 100 returned last time and returns the
 * next 100 (the per-sync limit, TD-23). After each timed sync 100 new messages are stored
 * (untimed), so the backlog stays at n. Each size runs long enough for the inbox to compact its
 * acknowledged prefix at least once, so the mean is the amortised cost, compaction included.
 * The judged figure is the median: the mean also carries the garbage collector's pauses, which
 * grow with the whole heap and land on whichever step allocates, timed or not.
 *
 * The backlog is stored with `deliverLocal`, the function `sendToDevice` stores with, so the
 * inbox is the same as after n sends, without n transaction records beside it.
 */
import { apply, createHomeserver } from "../src/engine/homeserver.ts";
import type { ToDeviceEvent } from "../src/engine/commands.ts";
import { deliverLocal, type LocalDelivery } from "../src/engine/todevice/inboxes.ts";
import type { AccessToken, DeviceId, ServerName, UserId } from "../src/ids.ts";
import { formatNumber, measured, type Measurement, type Section } from "./results.ts";
import { mean, nowMs, quantile } from "./stats.ts";

export interface SyncCostOptions {
  readonly sizes: readonly number[];
  /** Timed syncs per size at least; more when needed to reach one compaction. */
  readonly minSyncs: number;
  readonly progress: (line: string) => void;
}

const LIMIT = 100;
const TOKEN = "t-device" as AccessToken;
const USER = "@device:bench.test" as UserId;
const DEVICE = "D" as DeviceId;
const SENDER = "@sender:bench.test" as UserId;

function batch(from: number, count: number): LocalDelivery[] {
  const out: LocalDelivery[] = [];
  for (let i = from; i < from + count; i++) {
    const event: ToDeviceEvent = { sender: SENDER, type: "m.bench", content: { n: i, body: "x".repeat(48) } };
    out.push({ userId: USER, deviceId: DEVICE, event });
  }
  return out;
}

interface SizeResult {
  readonly size: number;
  readonly syncs: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

function measureSize(size: number, options: SyncCostOptions): SizeResult {
  const hs = createHomeserver({ serverName: "bench.test" as ServerName });
  const reg = apply(hs, { type: "register", username: "device", deviceId: DEVICE, accessToken: TOKEN }, 0);
  if (!reg.outcome.ok) throw new Error(reg.outcome.error.message);
  const store = hs.state.todevice;
  let stored = 0;
  while (stored < size) {
    const n = Math.min(10_000, size - stored);
    deliverLocal(store, batch(stored, n), 1);
    stored += n;
  }
  const first = apply(hs, { type: "syncToDevice", token: TOKEN }, 2);
  if (!first.outcome.ok) throw new Error(first.outcome.error.message);
  let since: string = first.outcome.nextBatch;
  // The inbox compacts once its acknowledged prefix is half of it: after about size / LIMIT syncs.
  const syncs = Math.max(options.minSyncs, Math.ceil((size / LIMIT) * 1.1));
  const samples: number[] = [];
  for (let k = 0; k < syncs; k++) {
    const started = nowMs();
    const r = apply(hs, { type: "syncToDevice", token: TOKEN, since }, 3);
    const elapsed = nowMs() - started;
    if (!r.outcome.ok || r.outcome.events.length !== LIMIT) throw new Error("sync did not return a full page");
    samples.push(elapsed * 1000);
    since = r.outcome.nextBatch;
    deliverLocal(store, batch(stored, LIMIT), 3);
    stored += LIMIT;
  }
  return { size, syncs, meanUs: mean(samples), p50Us: quantile(samples, 0.5), p99Us: quantile(samples, 0.99), maxUs: quantile(samples, 1) };
}

export function measureSyncCost(options: SyncCostOptions): Section {
  options.progress(`sync-cost: one sync acknowledging ${LIMIT} and returning ${LIMIT}, inbox of ${options.sizes.map(formatNumber).join(", ")} pending`);
  const results: SizeResult[] = [];
  // JIT warm-up on the smallest size, discarded, so the first size is not charged for compiling.
  measureSize(options.sizes[0] ?? 1000, options);
  for (const size of options.sizes) {
    const r = measureSize(size, options);
    options.progress(`  ${formatNumber(size)} pending: mean ${formatNumber(r.meanUs)} µs, p50 ${formatNumber(r.p50Us)} µs, p99 ${formatNumber(r.p99Us)} µs over ${formatNumber(r.syncs)} syncs`);
    results.push(r);
  }
  const smallest = results[0];
  const measurements: Measurement[] = results.map((r) =>
    measured({
      key: `n${r.size}`,
      label: `${formatNumber(r.size)} pending`,
      value: r.p50Us,
      unit: "µs/sync (median)",
      ...(smallest === undefined || r === smallest ? {} : { baseline: { label: `${formatNumber(smallest.size)} pending`, value: smallest.p50Us } }),
      ...(smallest !== undefined && r === results[results.length - 1] && r !== smallest ? { target: { kind: "atMost" as const, bound: 2, of: `ratio to ${formatNumber(smallest.size)}` } } : {}),
      detail: { syncs: r.syncs, meanUs: r.meanUs, p99Us: r.p99Us, maxUs: r.maxUs, ...(smallest === undefined ? {} : { meanRatioToSmallest: r.meanUs / smallest.meanUs }) },
    }),
  );
  return {
    name: "sync-cost",
    title: "Sync cost against inbox size (acknowledge 100, return 100)",
    conditions: `engine only, one core; each size: a fresh engine, n pending messages (~80-byte contents), then at least max(${options.minSyncs}, 1.1 × n/100) timed syncs each followed by 100 new messages (untimed); value is the median sync; the mean (GC pauses and inbox compaction included, which grow with the heap) is in the detail and the plot`,
    measurements,
    series: [
      { name: "median", points: results.map((r) => ({ x: r.size, y: r.p50Us })) },
      { name: "mean", points: results.map((r) => ({ x: r.size, y: r.meanUs })) },
      { name: "p99", points: results.map((r) => ({ x: r.size, y: r.p99Us })) },
    ],
  };
}
