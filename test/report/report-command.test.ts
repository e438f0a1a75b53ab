// Checks `courier report` as a subcommand: --help describes every option, bad options exit 2
// with a message naming the option, and a run writes the report, prints its path on stdout and
// its progress on stderr. Also guards two conventions of src/report: every `*.machine.ts` under
// src/ is in MACHINE_MODULES, and no report source quotes a clause id (the clause scanner would
// count it as an implementation). Assumes COURIER_OUT, COURIER_ONLY and COURIER_RUNS are unset.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CITATION_PATTERN } from "../../scripts/clause-citations.ts";
import { reportCommand } from "../../src/cli/report-command.ts";
import { PROJECT_ROOT } from "../../src/report/build.ts";
import { MACHINE_MODULES } from "../../src/report/discovery.ts";
import { runCaptured } from "../support/capture-output.ts";


describe("courier report", () => {
  it("--help lists every option", async () => {
    const r = await runCaptured(() => reportCommand.run(["--help"]));
    expect(r.code).toBe(0);
    const text = r.out;
    for (const flag of ["--out DIR", "--runs N", "--seed N", "--only LIST", "--help"]) expect(text).toContain(flag);
    expect(text).toContain("clauses,machines,matrix,differences");
    expect(reportCommand.name).toBe("report");
  });

  it("exits 2 on a bad option, naming it", async () => {
    for (const [argv, words] of [
      [["--only", "clauses,charts"], "unknown section charts"],
      [["--runs", "0"], "--runs must be a positive integer"],
      [["--colour"], "unknown option --colour"],
    ] as const) {
      const r = await runCaptured(() => reportCommand.run(argv));
      expect(r.code).toBe(2);
      expect(r.err).toContain(words);
    }
  });

  it("writes the report, prints where, and reports progress on stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "courier-cli-"));
    try {
      const r = await runCaptured(() => reportCommand.run(["--out", dir, "--only", "differences"]));
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${join(dir, "index.html")}\n`);
      expect(r.err).toMatch(/^\[report\] clauses/m);
      expect(r.err).toMatch(/^\[report\] done in/m);
      expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("Seed texts versus today's spec");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(PROJECT_ROOT, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("src/report conventions", () => {
  it("lists every machine module of src/ in MACHINE_MODULES", () => {
    const machines = filesUnder("src").filter((file) => file.endsWith(".machine.ts"));
    expect(machines.length).toBeGreaterThan(0);
    expect([...MACHINE_MODULES].sort()).toEqual(expect.arrayContaining(machines.sort()));
    for (const module of MACHINE_MODULES) expect(existsSync(join(PROJECT_ROOT, module)), module).toBe(true);
  });

  it("quotes no clause id in report code, so the coverage count stays honest", () => {
    const code = [...filesUnder("src/report"), "src/cli/report-command.ts"].filter((file) => file.endsWith(".ts"));
    const quoting = code.filter((file) => new RegExp(CITATION_PATTERN.source).test(readFileSync(join(PROJECT_ROOT, file), "utf8")));
    expect(quoting).toEqual([]);
  });
});
