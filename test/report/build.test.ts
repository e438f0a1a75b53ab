// Checks the HTML page and its Markdown twin built from this repository: every catalogue
// clause appears in both with an anchor, every relative link names a file that exists, every
// in-page link has its target, each machine is drawn (inline in HTML, as a file for Markdown),
// a failing experiment's counterexample is drawn and linked, and `--only` leaves no dangling
// link. Assumes a stand-in experiment registered here for the run and removed afterwards.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../../scripts/clauses-catalogue.ts";
import { type BuildResult, buildReport, PROJECT_ROOT, repoLinkFrom } from "../../src/report/build.ts";
import { MACHINE_MODULES } from "../../src/report/discovery.ts";
import { experiments, GUARANTEES, registerExperiment } from "../../src/report/matrix.ts";
import { clauseAnchor } from "../../src/report/report-data.ts";
import { brokenLinks, htmlHrefs, htmlIds, markdownHrefs, markdownIds } from "./links.ts";

const catalogue = loadCatalogue(`${PROJECT_ROOT}/api/clauses.yaml`);
const policy = catalogue.policies[0]?.name ?? "";
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "courier report "));
  dirs.push(dir);
  return dir;
}

let full: BuildResult;
let html = "";
let markdown = "";
const progress: string[] = [];

beforeAll(async () => {
  registerExperiment({
    policy,
    setting: "stand-in",
    guarantee: "order",
    run: async (bounds) => ({
      holds: false,
      runs: 1,
      seed: bounds.seed,
      note: "a stand-in for the test",
      counterexample: { actors: ["a", "b"], steps: [{ from: "a", to: "b", label: "m1", kind: "lost" }] },
    }),
  });
  full = await buildReport({ out: tempDir(), runs: 5, seed: 9, progress: (line) => progress.push(line), now: () => new Date(0) });
  html = readFileSync(full.index, "utf8");
  markdown = readFileSync(full.markdown, "utf8");
});

afterAll(() => {
  experiments.length = 0;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the full report", () => {
  it("lists every catalogue clause, with an anchor, in both forms", () => {
    const ids = htmlIds(html);
    const anchors = markdownIds(markdown);
    for (const clause of catalogue.clauses) {
      expect(ids.has(clauseAnchor(clause.id)), clause.id).toBe(true);
      expect(anchors.has(clauseAnchor(clause.id)), clause.id).toBe(true);
    }
  });

  it("has no broken link: files exist and in-page anchors have targets", () => {
    const hrefs = htmlHrefs(html);
    const mdHrefs = markdownHrefs(markdown);
    expect(hrefs.filter((h) => h.includes("src/")).length).toBeGreaterThan(50);
    expect(brokenLinks(full.dir, hrefs, htmlIds(html))).toEqual([]);
    expect(brokenLinks(full.dir, mdHrefs, markdownIds(markdown))).toEqual([]);
  });

  it("would notice a broken link, and encodes paths with spaces", () => {
    expect(brokenLinks(full.dir, ["#nowhere", "../no/such/file.ts", "index.html#x", "https://example.org"], new Set())).toEqual([
      "#nowhere",
      "../no/such/file.ts",
    ]);
    expect(repoLinkFrom("/a/b c/reports", "/a/x y")).toBe("../../x%20y");
    expect(repoLinkFrom("/a/reports", "/a")).toBe("..");
  });

  it("draws each machine inline in the HTML and as a linked SVG file for the Markdown", () => {
    const machines = full.data.machines?.entries ?? [];
    expect(machines.length).toBeGreaterThanOrEqual(MACHINE_MODULES.length);
    expect(html.match(/data-diagram="machine"/g)).toHaveLength(machines.length);
    const files = readdirSync(join(full.dir, "diagrams"));
    for (const entry of machines) {
      expect(files).toContain(entry.file.replace("diagrams/", ""));
      expect(markdown).toContain(`](${entry.file})`);
    }
  });

  it("counts measured cells plainly and draws the counterexample of a failure", () => {
    // The tree's own *.experiment.ts files are registered too, beside the stand-in.
    const cells = (catalogue.policies.length) * GUARANTEES.length;
    const measured = new Set(experiments.map((e) => `${e.policy}\u0000${e.guarantee}`)).size;
    expect(measured).toBeGreaterThanOrEqual(1);
    expect(html).toContain(`${measured} of ${cells} cells measured`);
    expect(markdown).toContain(`${measured} of ${cells} cells measured`);
    const cx = full.data.matrix?.counterexamples ?? [];
    const standIn = cx.find((c) => markdown.includes(`](${c.file})`) && html.includes(`href="#${c.anchor}"`));
    expect(standIn).toBeDefined();
    expect(html).toContain('data-diagram="sequence"');
    expect(markdown).toContain("1. a --x b: m1");
    expect(html.match(/class="not-measured"/g)).toHaveLength(cells - measured);
  });

  it("is self-contained and says when and from what it was built", () => {
    expect(html).not.toMatch(/<script|<link\s|src="https?:|@import/i);
    expect(html).toContain("Generated 1970-01-01T00:00:00.000Z");
    expect(html).toContain(`Node ${process.version}`);
    expect(full.files).toEqual(expect.arrayContaining(["index.html", "report.md"]));
    expect(progress[0]).toMatch(/^\[report\] clauses/);
    expect(progress.some((line) => /^\[report\] matrix (\d+)\/\1 /.test(line))).toBe(true);
    expect(progress.at(-1)).toMatch(/^\[report\] done in \d+\.\d s/);
  });
});

describe("a partial report", () => {
  it("with --only clauses,differences has no machine and no link into a missing section", async () => {
    const result = await buildReport({ out: tempDir(), runs: 1, seed: 1, only: ["differences", "clauses"] });
    const page = readFileSync(result.index, "utf8");
    const md = readFileSync(result.markdown, "utf8");
    expect(result.data.sections).toEqual(["clauses", "differences"]);
    expect(page).not.toContain('data-diagram="machine"');
    expect(page).not.toContain('id="section-matrix"');
    expect(brokenLinks(result.dir, htmlHrefs(page), htmlIds(page))).toEqual([]);
    expect(brokenLinks(result.dir, markdownHrefs(md), markdownIds(md))).toEqual([]);
    expect(readdirSync(join(result.dir, "diagrams"))).toEqual([]);
  });
});
