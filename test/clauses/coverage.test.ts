// Checks that the citation scanner finds clause ids in the fixture trees under fixtures/, that
// coverage reports missing and unknown ids exactly, and that `npm run clauses --gate` exits 1 on
// a gap and 0 without one; assumes the cwd is the repo root and tsx is installed.
// Ids are assembled at run time (clauseId) so this file cites no clause itself.
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  citationsIn,
  courierScanDirs,
  coverage,
  gatePasses,
  scanCitations,
} from "../../scripts/clause-citations.ts";
import { loadCatalogue } from "../../scripts/clauses-catalogue.ts";
import { runClauses } from "../../scripts/clauses.ts";

const FIXTURES = "test/clauses/fixtures";
const GAP = `${FIXTURES}/gap`;
const COMPLETE = `${FIXTURES}/complete`;
const clauseId = (prefix: string, n: number): string => [prefix, n].join("-");
const ids = (clauses: readonly { id: string }[]): string[] => clauses.map((c) => c.id);
const RUNS = 200 * (process.env.COURIER_DEEP ? 100 : 1);

function run(argv: string[]): { status: number; out: string; err: string } {
  let out = "";
  let err = "";
  const status = runClauses(argv, {
    out: (line) => {
      out += `${line}\n`;
    },
    err: (line) => {
      err += `${line}\n`;
    },
  });
  return { status, out, err };
}

describe("scanCitations on the gap fixture", () => {
  const citations = scanCitations(courierScanDirs(GAP));

  test("finds every cited id with its kind, file and line, src before scripts before tests", () => {
    const found = citations.map((c) => `${c.kind} ${c.file}:${c.line} ${c.id}`);
    expect(found).toEqual([
      `source src/engine/send.ts:1 ${clauseId("TD", 1)}`,
      `source src/engine/send.ts:1 ${clauseId("GW", 1)}`,
      `source src/engine/send.ts:1 ${clauseId("TD", 9)}`,
      `source src/engine/send.ts:2 ${clauseId("TD", 1)}`,
      `source src/engine/send.ts:4 ${clauseId("TD", 9)}`,
      `source scripts/tool.ts:1 ${clauseId("TD", 3)}`,
      `source scripts/tool.ts:2 ${clauseId("GW", 1)}`,
      `test test/send.ts:1 ${clauseId("TD", 1)}`,
      `test test/send.ts:1 ${clauseId("TD", 2)}`,
      `test test/send.ts:1 ${clauseId("TD", 1)}`,
      `test test/send.ts:2 ${clauseId("TD", 1)}`,
      `test test/send.ts:2 ${clauseId("TD", 2)}`,
    ]);
  });

  test("reports missing source and test citations and unknown ids", () => {
    const result = coverage(loadCatalogue(`${GAP}/api/clauses.yaml`), citations);
    expect(ids(result.missingSource)).toEqual([clauseId("TD", 2)]);
    expect(ids(result.missingTest)).toEqual([clauseId("TD", 3), clauseId("GW", 1)]);
    expect(result.unknown.map((u) => [u.id, u.citations.length])).toEqual([[clauseId("TD", 9), 2]]);
    const td = result.summary.find((s) => s.prefix === "TD");
    expect(td).toMatchObject({ clauses: 4, implemented: 2, policy: 1, notApplicable: 1 });
    expect(td).toMatchObject({ implementedInSource: 1, implementedInTests: 2 });
    expect(gatePasses(result)).toBe(false);
  });

  test("--prefix restricts the lists and the unknown ids", () => {
    const result = coverage(loadCatalogue(`${GAP}/api/clauses.yaml`), citations, ["GW"]);
    expect(result.summary.map((s) => s.prefix)).toEqual(["GW"]);
    expect(ids(result.missingSource)).toEqual([]);
    expect(ids(result.missingTest)).toEqual([clauseId("GW", 1)]);
    expect(result.unknown).toEqual([]);
  });
});

describe("the complete fixture", () => {
  test("passes the gate although its policy clause is uncited", () => {
    const result = coverage(loadCatalogue(`${COMPLETE}/api/clauses.yaml`), scanCitations(courierScanDirs(COMPLETE)));
    expect(ids(result.missingSource)).toEqual([clauseId("TD", 3)]);
    expect(gatePasses(result)).toBe(true);
  });
});

describe("the clauses command", () => {
  test("prints a text report and exits 0 without --gate, 1 with it", () => {
    const report = run(["--root", GAP]);
    expect(report.status).toBe(0);
    expect(report.out).toContain("TD: 4 clauses (2 implemented, 1 policy, 1 n/a)");
    expect(report.out).toMatch(new RegExp(`${clauseId("TD", 9)}\\s+src/engine/send.ts:1, src/engine/send.ts:4`));
    expect(run(["--root", GAP, "--gate"]).status).toBe(1);
    expect(run(["--root", COMPLETE, "--gate"]).status).toBe(0);
  });

  test("--json gives the same findings as data", () => {
    const report = JSON.parse(run(["--root", GAP, "--json", "--prefix", "td"]).out);
    expect(report.summary.map((s: { prefix: string }) => s.prefix)).toEqual(["TD"]);
    expect(ids(report.missingSource)).toEqual([clauseId("TD", 2)]);
    expect(report.unknown.map((u: { id: string }) => u.id)).toEqual([clauseId("TD", 9)]);
    expect(report.gate).toEqual({ passes: false });
  });

  test("--help prints usage; bad options and invalid catalogues exit 2", () => {
    const help = run(["--help"]);
    expect([help.status, help.out.includes("--gate")]).toEqual([0, true]);
    expect(run(["--prefix", "XX"]).status).toBe(2);
    expect(run(["--bogus"]).status).toBe(2);
    const invalid = run(["--root", `${FIXTURES}/invalid`]);
    expect([invalid.status, invalid.err.includes("invalid catalogue")]).toEqual([2, true]);
  });

  test("as a process, --gate exits non-zero on the gap fixture", () => {
    const tsx = ["node_modules/tsx/dist/cli.mjs", "scripts/clauses.ts", "--gate", "--root"];
    const gap = spawnSync(process.execPath, [...tsx, GAP], { encoding: "utf8" });
    expect(gap.status, gap.stderr).toBe(1);
    expect(gap.stdout).toContain("Gate: fails");
    const complete = spawnSync(process.execPath, [...tsx, COMPLETE], { encoding: "utf8" });
    expect(complete.status, complete.stderr).toBe(0);
  });

  test("the real tree is scanned without the fixtures, which cite made-up ids", () => {
    const files = scanCitations(courierScanDirs(".")).map((c) => c.file);
    expect(files.some((file) => file.startsWith(FIXTURES))).toBe(false);
  });
});

describe("citationsIn", () => {
  const prefix = fc.constantFrom("TD", "FED", "PUSH", "GW");
  const id = fc.tuple(prefix, fc.integer({ min: 1, max: 9999 })).map(([p, n]) => clauseId(p, n));
  // Filler that can never form or extend an id: no letters, digits, '-' or '_' next to one.
  const filler = fc.stringMatching(/^[ .,;:()"'`/*\n]{1,6}$/);

  test("finds exactly the embedded ids, in order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, id)), filler, (pieces, tail) => {
        const text = pieces.map(([gap, cited]) => gap + cited).join("") + tail;
        const found = citationsIn(text, "f.ts", "source").map((c) => c.id);
        expect(found).toEqual(pieces.map(([, cited]) => cited));
      }),
      { numRuns: RUNS },
    );
  });

  test("ignores ids glued to letters or digits", () => {
    const glued = ["X", clauseId("TD", 1), " ", clauseId("GW", 2), "a ", "MSC", "-4514"].join("");
    expect(citationsIn(glued, "f.ts", "test")).toEqual([]);
  });
});
