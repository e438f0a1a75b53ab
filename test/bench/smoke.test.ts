// Smoke test of `npm run bench`: every benchmark runs at its `--quick` sizes and yields finite,
// positive figures (and baselines), and the suite writes its JSON and SVG; no timing is asserted,
// so a slow or busy machine cannot fail it; the HTTP ones start real server processes on loopback.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { BenchReport, Section } from "../../bench/results.ts";
import { ALL_BENCHES, runBench, runSuite } from "../../bench/suite.ts";

const quiet = () => {};

function expectFigures(section: Section): void {
  expect(section.measurements.length).toBeGreaterThan(0);
  for (const m of section.measurements) {
    expect(Number.isFinite(m.value), `${section.name}/${m.key} value ${m.value}`).toBe(true);
    expect(m.value, `${section.name}/${m.key}`).toBeGreaterThan(0);
    if (m.baseline !== undefined) {
      expect(m.baseline.value, `${section.name}/${m.key} baseline`).toBeGreaterThan(0);
      expect(m.ratio).toBeCloseTo(m.value / m.baseline.value, 10);
    }
  }
}

describe("each benchmark runs at --quick sizes and produces numbers", () => {
  for (const name of ALL_BENCHES) {
    test(name, async () => {
      const section = await runBench(name, true, quiet);
      expect(section.name).toBe(name);
      expectFigures(section);
    }, 120_000);
  }
});

describe("the suite", () => {
  const out = mkdtempSync(join(tmpdir(), "courier-bench-test-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("writes the JSON report and the SVG plot, with the machine beside the figures", async () => {
    const lines: string[] = [];
    await runSuite({ quick: true, names: ["sync-cost"], outDir: out, prefix: "bench", publish: false, argv: ["--quick"], log: (l) => lines.push(l) });
    const json = JSON.parse(readFileSync(join(out, "bench-latest.json"), "utf8")) as BenchReport;
    expect(json.sections.map((s) => s.name)).toEqual(["sync-cost"]);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    expect(existsSync(join(out, "bench-latest.svg"))).toBe(true);
    expect(lines.some((l) => l.startsWith("Machine: ") && l.includes(process.version))).toBe(true);
    expect(lines.some((l) => l.includes("Sync cost against inbox size"))).toBe(true);
  }, 120_000);
});
