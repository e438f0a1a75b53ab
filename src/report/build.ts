/**
 * Builds the report for spec authors: gathers the clause coverage, the machine diagrams, the
 * policy × guarantee matrix and the seed differences into one `ReportData`, then writes
 * `index.html`, its Markdown twin `report.md`, and the diagrams as SVG files under `diagrams/`.
 * Progress goes to the `progress` callback (the CLI prints it on stderr).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClauseSection, clauseSection } from "./clause-table.ts";
import { loadExperimentModules, loadMachines, MACHINE_MODULES } from "./discovery.ts";
import { renderHtml } from "./html.ts";
import { machineDiagram } from "./machine-diagram.ts";
import { renderMarkdown } from "./markdown.ts";
import { experiments, runMatrix } from "./matrix.ts";
import {
  type Counterexample,
  counterexampleAnchor,
  type MachineEntry,
  type MatrixSection,
  machineAnchor,
  type ReportData,
  SECTIONS,
  type Section,
} from "./report-data.ts";
import { seedDifferences } from "./seed-differences.ts";
import { sequenceDiagram, stepText } from "./sequence-diagram.ts";

/** The repository this module belongs to. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What the experiments may spend together, so the default report stays under two minutes. */
export const DEFAULT_BUDGET_MS = 90_000;

export interface BuildOptions {
  readonly out: string;
  readonly root?: string;
  readonly runs: number;
  readonly seed: number;
  readonly only?: readonly Section[];
  readonly budgetMs?: number;
  readonly progress?: (line: string) => void;
  readonly now?: () => Date;
  readonly machineModules?: readonly string[];
}

export interface BuildResult {
  readonly dir: string;
  readonly index: string;
  readonly markdown: string;
  /** Every file written, relative to `dir`. */
  readonly files: readonly string[];
  readonly ms: number;
  readonly data: ReportData;
}

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function commitOf(root: string): ReportData["commit"] {
  const hash = git(root, ["rev-parse", "HEAD"]);
  if (hash === undefined || hash === "") return undefined;
  return { hash, dirty: (git(root, ["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "" };
}

/** The repository root as a relative URL from the report directory. */
export function repoLinkFrom(dir: string, root: string): string {
  const path = relative(dir, root);
  return path === "" ? "" : path.split(sep).map(encodeURIComponent).join("/");
}

interface Writer {
  readonly dir: string;
  readonly files: string[];
  write(file: string, content: string): void;
}

function writer(dir: string): Writer {
  const files: string[] = [];
  return {
    dir,
    files,
    write(file, content) {
      writeFileSync(join(dir, file), content);
      files.push(file);
    },
  };
}

async function machinesPart(root: string, modules: readonly string[], out: Writer, progress: (line: string) => void) {
  const { machines, failures } = await loadMachines(root, modules);
  const entries: MachineEntry[] = [];
  for (const found of machines) {
    const anchor = machineAnchor(found.module, found.exportName);
    const diagram = await machineDiagram(found.machine, anchor);
    const file = `diagrams/${anchor}.svg`;
    out.write(file, diagram.svg);
    entries.push({ module: found.module, exportName: found.exportName, diagram, file, anchor });
    progress(`machines ${entries.length}/${machines.length} ${diagram.id}: ${diagram.states} states, ${diagram.transitions} transitions`);
  }
  for (const failure of failures) progress(`machines: could not load ${failure.module}: ${failure.error}`);
  return { entries, failures };
}

async function matrixPart(root: string, clauses: ClauseSection, options: BuildOptions, out: Writer, progress: (line: string) => void): Promise<MatrixSection> {
  const { loaded, failures } = await loadExperimentModules(root);
  for (const failure of failures) progress(`matrix: could not load ${failure.module}: ${failure.error}`);
  progress(`matrix: ${experiments.length} experiment${experiments.length === 1 ? "" : "s"} from ${loaded.length} module${loaded.length === 1 ? "" : "s"}`);
  const matrix = await runMatrix(clauses.catalogue.policies, experiments, {
    runs: options.runs,
    seed: options.seed,
    budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
    progress,
    clock: () => performance.now(),
  });
  const counterexamples: Counterexample[] = [];
  for (const outcome of matrix.rows.flatMap((row) => row.cells.flat())) {
    const trace = outcome.result?.counterexample;
    if (outcome.status !== "fails" || trace === undefined) continue;
    const anchor = counterexampleAnchor(outcome);
    const title = `${outcome.policy} = ${outcome.setting}: ${outcome.guarantee} fails`;
    const svg = sequenceDiagram(trace, { id: anchor, title });
    const file = `diagrams/${anchor}.svg`;
    out.write(file, svg);
    counterexamples.push({ outcome, anchor, file, svg, steps: trace.steps.map(stepText) });
  }
  return { matrix, modules: loaded, failures, counterexamples };
}

/** Builds the whole report into `options.out` and returns what it wrote. */
export async function buildReport(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const progress = (line: string): void => options.progress?.(`[report] ${line}`);
  const root = resolve(options.root ?? PROJECT_ROOT);
  const dir = resolve(options.out);
  const only = options.only ?? SECTIONS;
  const sections = SECTIONS.filter((section) => only.includes(section));
  // Diagrams of an earlier build would linger and be linked by nothing.
  rmSync(join(dir, "diagrams"), { recursive: true, force: true });
  mkdirSync(join(dir, "diagrams"), { recursive: true });
  const out = writer(dir);

  progress("clauses: reading api/clauses.yaml and scanning src/, scripts/, test/ for citations");
  const clauses = clauseSection(root);
  progress(`clauses: ${clauses.catalogue.clauses.length} clauses, ${clauses.citations} citations in ${clauses.citingFiles} files`);
  const commit = commitOf(root);
  const data: ReportData = {
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    ...(commit === undefined ? {} : { commit }),
    node: process.version,
    repoLink: repoLinkFrom(dir, root),
    sections,
    ...(sections.includes("clauses") ? { clauses } : {}),
    ...(sections.includes("machines")
      ? { machines: await machinesPart(root, options.machineModules ?? MACHINE_MODULES, out, progress) }
      : {}),
    ...(sections.includes("matrix") ? { matrix: await matrixPart(root, clauses, options, out, progress) } : {}),
    ...(sections.includes("differences") ? { differences: seedDifferences(clauses.catalogue) } : {}),
  };
  if (data.differences !== undefined) progress(`differences: ${data.differences.length} rows`);

  out.write("index.html", renderHtml(data));
  out.write("report.md", renderMarkdown(data));
  const ms = performance.now() - started;
  progress(`done in ${(ms / 1000).toFixed(1)} s: ${join(dir, "index.html")}`);
  return { dir, index: join(dir, "index.html"), markdown: join(dir, "report.md"), files: out.files, ms, data };
}
