/**
 * Reads the JSON report of a Stryker run (`npm run mutation` writes reports/mutation/mutation.json)
 * and says what a reader of the score needs: the score, the mutants that survived (each with its
 * place and the change Stryker made), and the mutants marked equivalent in the source with a
 * `// Stryker disable next-line <Mutator>: <reason>` comment, with their reasons.
 *
 *   npm run mutation:report                       print score and survivors
 *   npm run mutation:report -- --only src/engine/push/
 *   npm run mutation:report -- --write docs/mutation.md
 *
 * Exit status: 0, or 1 when --gate is given and a mutant survived or went uncovered.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Position {
  readonly line: number;
  readonly column: number;
}

interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly location: { readonly start: Position; readonly end: Position };
}

interface Report {
  readonly files: { readonly [path: string]: { readonly source: string; readonly mutants: readonly Mutant[] } };
}

export interface Placed extends Mutant {
  readonly file: string;
  readonly original: string;
}

const UNDETECTED = new Set(["Survived", "NoCoverage"]);

export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

function emptyTally(): Tally {
  return { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
}

function count(tally: Tally, status: string): void {
  if (status === "Killed") tally.killed++;
  else if (status === "Timeout") tally.timeout++;
  else if (status === "Survived") tally.survived++;
  else if (status === "NoCoverage") tally.noCoverage++;
  else if (status === "Ignored") tally.ignored++;
  else tally.errors++;
}

/** Stryker's mutation score: detected over detected plus undetected; ignored and erroring mutants do not count. */
export function score(t: Tally): number {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage;
  return valid === 0 ? 100 : (100 * (t.killed + t.timeout)) / valid;
}

/** The source text a mutant replaced, on one line. */
function excerpt(source: string, m: Mutant): string {
  const lines = source.split("\n");
  const { start, end } = m.location;
  const text =
    start.line === end.line
      ? (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1)
      : [(lines[start.line - 1] ?? "").slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? "").slice(0, end.column - 1)].join("\n");
  return oneLine(text);
}

function oneLine(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function readMutants(report: Report, only: string | undefined): Placed[] {
  const out: Placed[] = [];
  for (const [file, data] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    if (only !== undefined && !file.startsWith(only)) continue;
    for (const m of data.mutants) out.push({ ...m, file, original: excerpt(data.source, m) });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
}

export function tallyByDirectory(mutants: readonly Placed[]): Map<string, Tally> {
  const byDir = new Map<string, Tally>();
  for (const m of mutants) {
    for (const key of ["all", m.file.slice(0, m.file.lastIndexOf("/") + 1)]) {
      const t = byDir.get(key) ?? emptyTally();
      count(t, m.status);
      byDir.set(key, t);
    }
  }
  return byDir;
}

function place(m: Placed): string {
  return `${m.file}:${m.location.start.line}:${m.location.start.column}`;
}

function change(m: Placed): string {
  return `${m.mutatorName}: \`${m.original.replaceAll("`", "'")}\` → \`${oneLine(m.replacement ?? "(removed)").replaceAll("`", "'")}\``;
}

/** Reason text of a `Stryker disable` comment, without the mutator list Stryker prefixes. */
function reasonOf(m: Placed): string {
  const reason = m.statusReason ?? "(no reason given)";
  return reason.replace(/^Ignored because of excluded mutation "?[A-Za-z,]*"?:?\s*/, "").replace(/^Disabled by user comment:?\s*/i, "");
}

function fixed(n: number): string {
  return n.toFixed(2);
}

export function markdown(mutants: readonly Placed[], source: string): string {
  const tallies = tallyByDirectory(mutants);
  const all = tallies.get("all") ?? emptyTally();
  const rows = [...tallies.entries()]
    .filter(([k]) => k !== "all")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dir, t]) => `| \`${dir}\` | ${fixed(score(t))} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.ignored} |`);
  const ignored = mutants.filter((m) => m.status === "Ignored");
  const left = mutants.filter((m) => UNDETECTED.has(m.status));
  const lines = [
    "<!-- Written by `npm run mutation:report -- --write docs/mutation.md` from the report of `npm run mutation`; do not edit by hand. -->",
    "",
    "# Mutation testing of the engine",
    "",
    "Stryker (`@stryker-mutator/core` with its vitest runner, configuration in `stryker.config.mjs`) mutates every",
    "file under `src/engine/` and runs the engine's fast suites (`vitest.mutation.config.ts`: `test/engine`,",
    "`test/properties`, `test/checkers`, `test/graph`, with fast-check's seed fixed so every mutant meets the same",
    "cases). A mutant is **killed** when a test fails on it, a **timeout** when the suite no longer ends (an",
    "infinite loop: also detected), **survived** when every test passes, **no coverage** when no test reaches it.",
    "",
    "A mutant that cannot change behaviour — an *equivalent* mutant — is marked in the source, on the line before",
    "it, with `// Stryker disable next-line <Mutator>: <why it is equivalent>`; Stryker then reports it as",
    "ignored, and it counts neither for nor against the score. The list below is every such mark, read back from",
    "the report.",
    "",
    "## Score",
    "",
    `Report: \`${source}\`. **${fixed(score(all))}%** of ${all.killed + all.timeout + all.survived + all.noCoverage} mutants detected`,
    `(${all.killed} killed, ${all.timeout} timed out, ${all.survived} survived, ${all.noCoverage} without coverage); ${all.ignored} marked equivalent.`,
    "",
    "| directory | score % | killed | timeout | survived | no coverage | equivalent |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "## Mutants that survived",
    "",
    ...(left.length === 0 ? ["None."] : left.map((m) => `- \`${place(m)}\` (${m.status}) ${change(m)}`)),
    "",
    "## Equivalent mutants, with the reason each cannot change behaviour",
    "",
    ...(ignored.length === 0 ? ["None."] : ignored.map((m) => `- \`${place(m)}\` ${change(m)} — ${reasonOf(m)}`)),
    "",
  ];
  return lines.join("\n");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      report: { type: "string", multiple: true, default: ["reports/mutation/mutation.json"] },
      only: { type: "string" },
      write: { type: "string" },
      gate: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      [
        "usage: npm run mutation:report -- [--report FILE] [--only PATH-PREFIX] [--write FILE.md] [--gate]",
        "  --report  Stryker's JSON report (default reports/mutation/mutation.json, written by npm run mutation);",
        "            repeat it to combine runs: a file's results come from the last report that has it",
        "  --only    only files whose path starts with this prefix, e.g. src/engine/push/",
        "  --write   also write the Markdown account (score table, survivors, equivalent mutants) to this file",
        "  --gate    exit 1 if any mutant survived or had no coverage",
      ].join("\n"),
    );
    return;
  }
  // Several reports: a file's results come from the last report that has it (e.g. a whole run,
  // then a --force run of a few files whose incremental verdicts were stale).
  const files: Record<string, Report["files"][string]> = {};
  for (const path of values.report) {
    try {
      Object.assign(files, (JSON.parse(readFileSync(path, "utf8")) as Report).files);
    } catch (error) {
      console.error(`mutation-report: cannot read ${path}: ${(error as Error).message}\nRun \`npm run mutation\` first.`);
      process.exit(2);
    }
  }
  const report: Report = { files };
  const mutants = readMutants(report, values.only);
  const all = tallyByDirectory(mutants).get("all") ?? emptyTally();
  const left = mutants.filter((m) => UNDETECTED.has(m.status));
  for (const m of left) console.log(`${place(m)}  ${m.status}  ${change(m)}`);
  console.log(
    `mutation score ${fixed(score(all))}%: ${all.killed + all.timeout} detected, ${all.survived} survived, ${all.noCoverage} no coverage, ${all.ignored} marked equivalent, ${all.errors} errors`,
  );
  if (values.write !== undefined) {
    writeFileSync(values.write, markdown(mutants, values.report.join("`, then `")));
    console.log(`wrote ${values.write}`);
  }
  if (values.gate && left.length > 0) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
