/**
 * Everything one report shows, gathered once by `build.ts` and rendered twice, by `html.ts` and
 * `markdown.ts`, so the two can only differ in form. Also the anchors and links both use.
 */
import type { ClauseSection } from "./clause-table.ts";
import type { LoadFailure } from "./discovery.ts";
import type { MachineDiagram } from "./machine-diagram.ts";
import type { Matrix, Outcome } from "./matrix.ts";
import type { SeedDifference } from "./seed-differences.ts";
import { idSafe } from "./svg.ts";

export const SECTIONS = ["clauses", "machines", "matrix", "differences"] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Record<Section, string> = {
  clauses: "Clause catalogue and coverage",
  machines: "State machines",
  matrix: "Policy × guarantee matrix",
  differences: "Seed texts versus today's spec",
};

export interface MachineEntry {
  readonly module: string;
  readonly exportName: string;
  readonly diagram: MachineDiagram;
  /** The SVG file beside report.md, relative to the report directory. */
  readonly file: string;
  readonly anchor: string;
}

export interface Counterexample {
  readonly outcome: Outcome;
  readonly anchor: string;
  readonly file: string;
  readonly svg: string;
  readonly steps: readonly string[];
}

export interface MatrixSection {
  readonly matrix: Matrix;
  readonly modules: readonly string[];
  readonly failures: readonly LoadFailure[];
  readonly counterexamples: readonly Counterexample[];
}

export interface ReportData {
  /** ISO 8601. */
  readonly generatedAt: string;
  readonly commit?: { readonly hash: string; readonly dirty: boolean };
  readonly node: string;
  /** The repository root as seen from the report directory (`..` for the default `reports/`). */
  readonly repoLink: string;
  readonly sections: readonly Section[];
  readonly clauses?: ClauseSection;
  readonly machines?: { readonly entries: readonly MachineEntry[]; readonly failures: readonly LoadFailure[] };
  readonly matrix?: MatrixSection;
  readonly differences?: readonly SeedDifference[];
}

export function sectionAnchor(section: Section): string {
  return `section-${section}`;
}

export function clauseAnchor(id: string): string {
  return `clause-${idSafe(id)}`;
}

export function policyAnchor(name: string): string {
  return `policy-${idSafe(name)}`;
}

export function machineAnchor(module: string, exportName: string): string {
  return `machine-${idSafe(module.replace(/\.ts$/, ""))}-${idSafe(exportName)}`;
}

export function counterexampleAnchor(outcome: Pick<Outcome, "policy" | "setting" | "guarantee">): string {
  return `cx-${idSafe(outcome.policy)}-${idSafe(outcome.setting)}-${idSafe(outcome.guarantee)}`;
}

/** A link from the report directory to a repository file. */
export function repoHref(data: Pick<ReportData, "repoLink">, file: string): string {
  const encoded = file.split("/").map(encodeURIComponent).join("/");
  return data.repoLink === "" ? encoded : `${data.repoLink}/${encoded}`;
}

export function describeCommit(data: ReportData): string {
  if (data.commit === undefined) return "not a git checkout";
  return `${data.commit.hash.slice(0, 12)}${data.commit.dirty ? " (with uncommitted changes)" : ""}`;
}

export const SYMBOLS: Record<Outcome["status"], string> = { holds: "✓", fails: "✗", error: "!" };
