// Checks the benchmarks' bookkeeping without timing anything: verdicts say PASS or MISS with the
// right gap, ratios divide by the baseline, options parse, and the SVG has every panel, marks the
// ones a run did not measure and carries no NaN; assumes nothing about the machine.
import { describe, expect, test } from "vitest";
import { figuresSvg } from "../../bench/figures.ts";
import { BenchUsageError, parseBenchArgs } from "../../bench/options.ts";
import { type BenchReport, measured, type Section, verdictOf } from "../../bench/results.ts";
import { ALL_BENCHES, HTTP_BENCHES } from "../../bench/suite.ts";

describe("verdicts", () => {
  test("at least: PASS at the bound, MISS below it with the gap", () => {
    const target = { kind: "atLeast", bound: 0.6, of: "ratio to bare" } as const;
    expect(verdictOf(target, 0.6)).toEqual({ pass: true, text: "PASS" });
    const miss = verdictOf(target, 0.45);
    expect(miss.pass).toBe(false);
    expect(miss.text).toBe("MISS: ratio to bare 0.450 < 0.600 (short by 0.150, 25%)");
  });

  test("at most: MISS above the bound says by how much", () => {
    const miss = verdictOf({ kind: "atMost", bound: 5, of: "p99 (ms)" }, 7.5);
    expect(miss.text).toBe("MISS: p99 (ms) 7.50 > 5.00 (over by 2.50, 50%)");
    expect(verdictOf({ kind: "atMost", bound: 5, of: "p99 (ms)" }, 4.9).pass).toBe(true);
  });

  test("a measurement's ratio is value / baseline, and the target is checked on it", () => {
    const m = measured({ key: "k", label: "l", value: 30, unit: "req/s", baseline: { label: "bare", value: 60 }, target: { kind: "atLeast", bound: 0.6, of: "ratio" } });
    expect(m.ratio).toBe(0.5);
    expect(m.checked).toBe(0.5);
    expect(m.verdict?.pass).toBe(false);
    const byValue = measured({ key: "k", label: "l", value: 3, unit: "ms", baseline: { label: "bare", value: 1 }, target: { kind: "atMost", bound: 5, of: "p99" } }, "value");
    expect(byValue.checked).toBe(3);
    expect(byValue.verdict?.pass).toBe(true);
  });
});

describe("options", () => {
  test("--quick, --only (comma-separated and repeated), --out", () => {
    const args = parseBenchArgs(["--quick", "--only", "engine,memory", "--only", "notify", "--out", "/tmp/x"], ALL_BENCHES);
    expect(args).toMatchObject({ quick: true, only: ["engine", "memory", "notify"], outDir: "/tmp/x", skipHttp: false });
  });

  test("unknown names and options are usage errors; bench:http knows only the HTTP benchmarks", () => {
    expect(() => parseBenchArgs(["--only", "nope"], ALL_BENCHES)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(["--only", "engine"], HTTP_BENCHES)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(["--fast"], ALL_BENCHES)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(["--out"], ALL_BENCHES)).toThrow(BenchUsageError);
  });
});

function report(sections: Section[]): BenchReport {
  const machine = { cpuModel: "Test CPU", cores: 2, memoryBytes: 2 ** 33, node: "v20.0.0", v8: "11", os: "linux", backgroundBusy: 0 };
  return { startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:01:00.000Z", quick: true, options: [], machine, backgroundBusyAtEnd: 0, warnings: [], sections, failed: [] };
}

describe("figures", () => {
  const engine: Section = {
    name: "engine",
    title: "Engine",
    conditions: "",
    measurements: [1, 10, 100].map((r) => measured({ key: `r${r}`, label: `${r} recipients per request`, value: r * 1000, unit: "messages/s", baseline: { label: "bare queue", value: r * 5000 } })),
  };
  const syncCost: Section = {
    name: "sync-cost",
    title: "Sync cost",
    conditions: "",
    measurements: [measured({ key: "n1000", label: "1,000 pending", value: 1, unit: "µs" }), measured({ key: "n10000", label: "10,000 pending", value: 1.5, unit: "µs", baseline: { label: "1,000", value: 1 } })],
    series: [
      { name: "median", points: [{ x: 1000, y: 1 }, { x: 10000, y: 1.5 }] },
      { name: "mean", points: [{ x: 1000, y: 2 }, { x: 10000, y: 3 }] },
      { name: "p99", points: [{ x: 1000, y: 9 }, { x: 10000, y: 12 }] },
    ],
  };

  test("every panel is drawn; the ones not measured say so; the machine heads it", () => {
    const svg = figuresSvg(report([engine, syncCost]));
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const title of ["PUT /sendToDevice over HTTP", "/sync", "Engine: send + sync + acknowledge", "Sync cost against inbox size", "Memory per pending message", "Simulator speed", "Property runs per second"]) {
      expect(svg).toContain(title);
    }
    expect(svg.match(/not measured in this run/g)?.length).toBe(6);
    expect(svg).toContain("Test CPU, 2 cores");
    expect(svg).not.toContain("NaN");
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
  });

  test("text from a section is escaped", () => {
    const hostile: Section = { ...engine, measurements: engine.measurements.map((m) => ({ ...m, label: "<b>&" })) };
    const svg = figuresSvg(report([hostile]));
    expect(svg).toContain("&lt;b&gt;&amp;");
    expect(svg).not.toContain("<b>&");
  });
});
