// `npm run clauses`: which catalogue clauses the code and the tests cite, which they miss, and
// which cited ids do not exist. A report today; with --gate it fails CI on any gap.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type Catalogue,
  CatalogueError,
  CLAUSE_PREFIXES,
  type Clause,
  type ClausePrefix,
  loadCatalogue,
} from "./clauses-catalogue.ts";
import {
  type Coverage,
  courierScanDirs,
  coverage,
  gatePasses,
  scanCitations,
} from "./clause-citations.ts";

const USAGE = `usage: npm run clauses -- [options]

Reports how the clause catalogue (api/clauses.yaml) is cited by implementation files
(src/, scripts/) and tests (test/).

  --json           print a machine-readable report
  --gate           exit 1 when an implemented clause lacks a source or a test citation,
                   or when an id that is not in the catalogue is cited
  --prefix P       restrict to one prefix (${CLAUSE_PREFIXES.join(", ")}); may be repeated
  --root DIR       project root (default: the current directory)
  --help           show this text

Exit status: 0 report printed (gate passed), 1 gate failed, 2 bad usage or invalid catalogue.`;

export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

interface Options {
  readonly json: boolean;
  readonly gate: boolean;
  readonly prefixes: readonly ClausePrefix[];
  readonly root: string;
}

function isPrefix(value: string): value is ClausePrefix {
  return (CLAUSE_PREFIXES as readonly string[]).includes(value);
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      gate: { type: "boolean", default: false },
      prefix: { type: "string", multiple: true },
      root: { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
}

/** Parsed options, "help", or an error message. */
function readOptions(argv: readonly string[]): Options | "help" | string {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(argv);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.help) return "help";
  const requested = (values.prefix ?? []).map((prefix) => prefix.toUpperCase());
  const bad = requested.filter((prefix) => !isPrefix(prefix));
  if (bad.length > 0) return `unknown prefix ${bad.join(", ")}; expected ${CLAUSE_PREFIXES.join(", ")}`;
  return {
    json: values.json,
    gate: values.gate,
    prefixes: requested.length === 0 ? CLAUSE_PREFIXES : requested.filter(isPrefix),
    root: resolve(values.root ?? "."),
  };
}

function clauseLine(clause: Clause): string {
  return `  ${clause.id.padEnd(8)} [${clause.status}] ${clause.clause}`;
}

function textReport(catalogue: Catalogue, result: Coverage, passed: boolean): string[] {
  const lines = [
    `Clause catalogue: ${catalogue.clauses.length} clauses, ${catalogue.policies.length} policies`,
  ];
  for (const s of result.summary) {
    lines.push(
      `${s.prefix}: ${s.clauses} clauses (${s.implemented} implemented, ${s.policy} policy, ` +
        `${s.notApplicable} n/a); implemented cited in src ${s.implementedInSource}/${s.implemented}, ` +
        `in tests ${s.implementedInTests}/${s.implemented}`,
    );
  }
  const section = (title: string, body: string[]): void => {
    lines.push("", `${title} (${body.length}):`, ...(body.length === 0 ? ["  none"] : body));
  };
  section("Implemented or policy clauses with no source citation", result.missingSource.map(clauseLine));
  section("Implemented or policy clauses with no test citation", result.missingTest.map(clauseLine));
  section(
    "Cited ids not in the catalogue",
    result.unknown.map(
      ({ id, citations }) =>
        `  ${id.padEnd(8)} ${citations.map((c) => `${c.file}:${c.line}`).join(", ")}`,
    ),
  );
  lines.push("", `Gate: ${passed ? "passes" : "fails"}`);
  return lines;
}

function jsonReport(catalogue: Catalogue, result: Coverage, passed: boolean): string {
  const brief = (clause: Clause) => ({ id: clause.id, status: clause.status, clause: clause.clause });
  return JSON.stringify(
    {
      clauses: catalogue.clauses.length,
      policies: catalogue.policies.length,
      summary: result.summary,
      missingSource: result.missingSource.map(brief),
      missingTest: result.missingTest.map(brief),
      unknown: result.unknown,
      gate: { passes: passed },
    },
    null,
    2,
  );
}

/** Runs the command; returns the exit status instead of exiting, so tests can call it. */
export function runClauses(argv: readonly string[], output: Output): number {
  const options = readOptions(argv);
  if (options === "help") {
    output.out(USAGE);
    return 0;
  }
  if (typeof options === "string") {
    output.err(`clauses: ${options}\n\n${USAGE}`);
    return 2;
  }
  let catalogue: Catalogue;
  try {
    catalogue = loadCatalogue(resolve(options.root, "api/clauses.yaml"));
  } catch (error) {
    if (!(error instanceof CatalogueError)) throw error;
    output.err(`clauses: invalid catalogue: ${error.message}`);
    return 2;
  }
  const result = coverage(catalogue, scanCitations(courierScanDirs(options.root)), options.prefixes);
  const passed = gatePasses(result);
  if (options.json) output.out(jsonReport(catalogue, result, passed));
  else output.out(textReport(catalogue, result, passed).join("\n"));
  return options.gate && !passed ? 1 : 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  process.exitCode = runClauses(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
