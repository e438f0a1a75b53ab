/**
 * The clause catalogue joined with the citations found in the tree: for every clause, the
 * implementation files and tests that cite it (with line numbers) and a coverage mark. Built on
 * `scripts/clauses-catalogue.ts` and `scripts/clause-citations.ts`, so the report and
 * `npm run clauses` can never disagree about what is covered.
 */
import { join } from "node:path";
import {
  type Citation,
  type Coverage,
  courierScanDirs,
  coverage,
  scanCitations,
} from "../../scripts/clause-citations.ts";
import { type Catalogue, type Clause, loadCatalogue } from "../../scripts/clauses-catalogue.ts";

export interface FileCitations {
  /** Repository-relative, forward slashes. */
  readonly file: string;
  readonly lines: readonly number[];
}

/**
 * `covered`: cited in source and in a test. `no test` / `no source`: one of the two is missing.
 * `uncited`: neither. `n/a`: the clause is not applicable, so nothing is expected to cite it.
 */
export type CoverageMark = "covered" | "no test" | "no source" | "uncited" | "n/a";

export interface ClauseRow {
  readonly clause: Clause;
  readonly source: readonly FileCitations[];
  readonly tests: readonly FileCitations[];
  readonly mark: CoverageMark;
}

export interface ClauseSection {
  readonly catalogue: Catalogue;
  readonly rows: readonly ClauseRow[];
  readonly coverage: Coverage;
  readonly citations: number;
  /** Files that cite at least one clause. */
  readonly citingFiles: number;
}

function byFile(citations: readonly Citation[]): FileCitations[] {
  const files = new Map<string, number[]>();
  for (const citation of citations) {
    const lines = files.get(citation.file) ?? [];
    if (!lines.includes(citation.line)) lines.push(citation.line);
    files.set(citation.file, lines);
  }
  return [...files]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, lines]) => ({ file, lines: lines.sort((x, y) => x - y) }));
}

function markOf(clause: Clause, source: readonly FileCitations[], tests: readonly FileCitations[]): CoverageMark {
  if (clause.status === "not-applicable") return "n/a";
  if (source.length > 0 && tests.length > 0) return "covered";
  if (source.length > 0) return "no test";
  if (tests.length > 0) return "no source";
  return "uncited";
}

/** One row per catalogue clause, in catalogue order. */
export function clauseRows(catalogue: Catalogue, citations: readonly Citation[]): ClauseRow[] {
  const cited = new Map<string, Citation[]>();
  for (const citation of citations) cited.set(citation.id, [...(cited.get(citation.id) ?? []), citation]);
  return catalogue.clauses.map((clause) => {
    const own = cited.get(clause.id) ?? [];
    const source = byFile(own.filter((c) => c.kind === "source"));
    const tests = byFile(own.filter((c) => c.kind === "test"));
    return { clause, source, tests, mark: markOf(clause, source, tests) };
  });
}

/** Loads `api/clauses.yaml` under `root` and scans the tree for citations. */
export function clauseSection(root: string): ClauseSection {
  const catalogue = loadCatalogue(join(root, "api", "clauses.yaml"));
  const citations = scanCitations(courierScanDirs(root));
  return {
    catalogue,
    rows: clauseRows(catalogue, citations),
    coverage: coverage(catalogue, citations),
    citations: citations.length,
    citingFiles: new Set(citations.map((c) => c.file)).size,
  };
}

/** Counts of rows by mark, in a fixed order. */
export function markCounts(rows: readonly ClauseRow[]): [CoverageMark, number][] {
  const marks: CoverageMark[] = ["covered", "no test", "no source", "uncited", "n/a"];
  return marks.map((mark) => [mark, rows.filter((row) => row.mark === mark).length]);
}
