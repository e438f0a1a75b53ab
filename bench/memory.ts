/**
 * Memory per pending message against the size of its JSON (the event as `/sync` lists it:
 * `{sender, type, content}`), for several content sizes. Each size is measured by
 * `memory-probe.ts` in a fresh process started with `--expose-gc`, so a full collection comes
 * before each heap reading and nothing else lives in the heap.
 */
import { spawn } from "node:child_process";
import { REPO_ROOT } from "./processes.ts";
import { formatNumber, measured, type Measurement, type Section } from "./results.ts";

export interface MemoryOptions {
  /** Target sizes of the content's JSON, in bytes. */
  readonly contentSizes: readonly number[];
  /** Messages per size at most; fewer for large contents, so each probe holds about 160 MB. */
  readonly maxCount: number;
  readonly progress: (line: string) => void;
}

interface ProbeResult {
  readonly contentBytes: number;
  readonly eventJsonBytes: number;
  readonly count: number;
  readonly perPendingBytes: number;
  readonly perRequestRemainingBytes: number;
}

function isProbeResult(x: unknown): x is ProbeResult {
  if (typeof x !== "object" || x === null) return false;
  const keys = ["contentBytes", "eventJsonBytes", "count", "perPendingBytes", "perRequestRemainingBytes"];
  return keys.every((k) => typeof (x as Record<string, unknown>)[k] === "number");
}

function probe(contentBytes: number, count: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/memory-probe.ts", String(contentBytes), String(count)], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`memory probe exited ${code}: ${err.slice(0, 500)}`));
      const parsed: unknown = JSON.parse(out.trim().split("\n").pop() ?? "null");
      if (!isProbeResult(parsed)) return reject(new Error(`memory probe printed ${out.slice(0, 300)}`));
      resolve(parsed);
    });
  });
}

export async function measureMemory(options: MemoryOptions): Promise<Section> {
  options.progress(`memory: per pending message, content sizes ${options.contentSizes.map(formatNumber).join(", ")} bytes`);
  const results: ProbeResult[] = [];
  for (const size of options.contentSizes) {
    const count = Math.max(100, Math.min(options.maxCount, Math.round(160e6 / size)));
    const r = await probe(size, count);
    options.progress(`  content ${formatNumber(r.contentBytes)} B (event JSON ${formatNumber(r.eventJsonBytes)} B): ${formatNumber(r.perPendingBytes)} B per pending message (${formatNumber(r.count)} messages)`);
    results.push(r);
  }
  const measurements: Measurement[] = results.map((r) =>
    measured({
      key: `c${r.contentBytes}`,
      label: `content ${formatNumber(r.contentBytes)} B`,
      value: r.perPendingBytes,
      unit: "bytes/pending message",
      baseline: { label: "event JSON bytes", value: r.eventJsonBytes },
      target: { kind: "atMost", bound: 2, of: "ratio to JSON" },
      detail: { count: r.count, contentBytes: r.contentBytes, perRequestRemainingBytes: r.perRequestRemainingBytes },
    }),
  );
  return {
    name: "memory",
    title: "Memory per pending message against its JSON size",
    conditions:
      "engine only, fresh process per size with --expose-gc; one message per request, parsed from JSON text as the shell does; heap after full GC with the messages pending minus heap after one sync acknowledged them all; Olm-shaped contents",
    measurements,
    series: [
      { name: "bytes per pending message", points: results.map((r) => ({ x: r.eventJsonBytes, y: r.perPendingBytes })) },
      { name: "2 × JSON (target)", points: results.map((r) => ({ x: r.eventJsonBytes, y: 2 * r.eventJsonBytes })) },
    ],
    notes: [
      `what remains of each request once its messages are acknowledged (the transaction record kept for the retention period): ${results.map((r) => `${formatNumber(r.perRequestRemainingBytes)} B`).join(", ")}`,
    ],
  };
}
