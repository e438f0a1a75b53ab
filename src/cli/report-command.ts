/**
 * `courier report`: writes the report for spec authors (index.html, report.md, diagrams/) into
 * a directory, printing progress on stderr. See src/report/build.ts.
 */
import { type BuildOptions, buildReport } from "../report/build.ts";
import { SECTIONS, type Section } from "../report/report-data.ts";
import { type FlagSpec, flagHelp, type ParsedFlags, parseFlags, UsageError } from "./args.ts";
import type { Subcommand } from "./main.ts";

const SUMMARY = "Write the report for spec authors (HTML and Markdown) into a directory";

const FLAGS: readonly FlagSpec[] = [
  { name: "out", kind: "string", default: "reports", placeholder: "DIR", help: "directory to write index.html, report.md and diagrams/ into" },
  { name: "runs", kind: "number", default: 100, placeholder: "N", help: "runs per policy experiment (the bound of each property or simulation)" },
  { name: "seed", kind: "number", default: 42, placeholder: "N", help: "seed handed to every experiment, so a report can be rebuilt exactly" },
  { name: "only", kind: "string", default: SECTIONS.join(","), placeholder: "LIST", help: "comma-separated sections to include" },
  { name: "help", kind: "boolean", help: "show this text" },
];

function usage(): string {
  return [
    "Usage: courier report [--out DIR] [--runs N] [--seed N] [--only clauses,machines,matrix,differences]",
    "",
    SUMMARY,
    "",
    flagHelp(FLAGS),
    "",
    "The report shows clause coverage, a diagram of every state machine, the policy × guarantee",
    "matrix and the seed-versus-today differences. It opens from file:// and fetches nothing;",
    "DIR/diagrams/ is replaced on each run. Progress lines go to stderr, the page's path to stdout.",
  ].join("\n");
}

function isSection(name: string): name is Section {
  return (SECTIONS as readonly string[]).includes(name);
}

function sections(list: string): Section[] {
  const names = list.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !isSection(name));
  if (unknown.length > 0) throw new UsageError(`--only: unknown section ${unknown.join(", ")}; expected some of ${SECTIONS.join(", ")}`);
  if (names.length === 0) throw new UsageError("--only needs at least one section");
  return names.filter(isSection);
}

function positiveInteger(flags: ParsedFlags, name: string): number {
  const value = flags[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || (name === "runs" && value === 0)) {
    throw new UsageError(`--${name} must be a ${name === "runs" ? "positive" : "non-negative"} integer`);
  }
  return value;
}

function options(flags: ParsedFlags): BuildOptions {
  return {
    out: String(flags.out),
    runs: positiveInteger(flags, "runs"),
    seed: positiveInteger(flags, "seed"),
    only: sections(String(flags.only)),
    progress: (line) => process.stderr.write(`${line}\n`),
  };
}

export async function runReport(argv: readonly string[]): Promise<number> {
  let parsed: BuildOptions;
  try {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help === true) {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    parsed = options(flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`courier report: ${error.message}\n\n${usage()}\n`);
    return 2;
  }
  const result = await buildReport(parsed);
  process.stdout.write(`${result.index}\n`);
  return 0;
}

export const reportCommand: Subcommand = { name: "report", summary: SUMMARY, run: runReport };
