// Finding clause ids cited in source and test files, and measuring how well they cover the
// catalogue. Pure apart from reading the files named by the caller.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type Catalogue, type Clause, CLAUSE_PREFIXES, type ClausePrefix } from "./clauses-catalogue.ts";

/** A clause id as it appears in a comment or a test title. */
export const CITATION_PATTERN = /\b(TD|FED|PUSH|GW)-\d+\b/g;

const SCANNED_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"];
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git"]);

export type CitationKind = "source" | "test";

export interface Citation {
  readonly id: string;
  readonly kind: CitationKind;
  /** Path relative to the scan root, with forward slashes. */
  readonly file: string;
  readonly line: number;
}

export interface ScanDirs {
  /** Directory the other paths are relative to. */
  readonly root: string;
  /** Implementation directories (e.g. src, scripts). */
  readonly source: readonly string[];
  /** Test directories. */
  readonly test: readonly string[];
  /** Files or directories to leave out (e.g. fixtures that cite ids on purpose). */
  readonly ignore?: readonly string[];
}

/** Courier's own layout; the fixtures under test/clauses cite made-up ids on purpose. */
export function courierScanDirs(root: string): ScanDirs {
  return {
    root,
    source: ["src", "scripts"],
    test: ["test"],
    ignore: ["api/clauses.yaml", "test/clauses/fixtures"],
  };
}

function toSlashes(path: string): string {
  return path.split(sep).join("/");
}

function isIgnored(path: string, ignore: readonly string[]): boolean {
  return ignore.some((skip) => path === skip || path.startsWith(`${skip}/`));
}

function listFiles(root: string, dir: string, ignore: readonly string[]): string[] {
  const absolute = join(root, dir);
  let names: string[];
  try {
    names = readdirSync(absolute).sort();
  } catch {
    return []; // a layout without, say, scripts/ is fine
  }
  const files: string[] = [];
  for (const name of names) {
    const path = toSlashes(relative(root, join(absolute, name)));
    if (SKIPPED_DIRECTORIES.has(name) || isIgnored(path, ignore)) continue;
    if (statSync(join(root, path)).isDirectory()) files.push(...listFiles(root, path, ignore));
    else if (SCANNED_EXTENSIONS.some((ext) => name.endsWith(ext))) files.push(path);
  }
  return files;
}

/** Every clause id cited in `text`, with its line number. */
export function citationsIn(text: string, file: string, kind: CitationKind): Citation[] {
  const found: Citation[] = [];
  text.split("\n").forEach((lineText, index) => {
    for (const match of lineText.matchAll(CITATION_PATTERN)) {
      found.push({ id: match[0], kind, file, line: index + 1 });
    }
  });
  return found;
}

/** Every cited clause id: source directories then test directories, each in the order given, files by name. */
export function scanCitations(dirs: ScanDirs): Citation[] {
  const ignore = (dirs.ignore ?? []).map(toSlashes);
  const scan = (roots: readonly string[], kind: CitationKind): Citation[] =>
    roots.flatMap((dir) =>
      listFiles(dirs.root, dir, ignore).flatMap((file) =>
        citationsIn(readFileSync(join(dirs.root, file), "utf8"), file, kind),
      ),
    );
  return [...scan(dirs.source, "source"), ...scan(dirs.test, "test")];
}

export interface PrefixSummary {
  readonly prefix: ClausePrefix;
  readonly clauses: number;
  readonly implemented: number;
  readonly policy: number;
  readonly notApplicable: number;
  /** Implemented clauses cited at least once in source / in tests. */
  readonly implementedInSource: number;
  readonly implementedInTests: number;
}

export interface UnknownCitation {
  readonly id: string;
  readonly citations: readonly Citation[];
}

export interface Coverage {
  readonly summary: readonly PrefixSummary[];
  /** Implemented or policy clauses that no source file cites. */
  readonly missingSource: readonly Clause[];
  /** Implemented or policy clauses that no test cites. */
  readonly missingTest: readonly Clause[];
  /** Ids cited somewhere that the catalogue does not define. */
  readonly unknown: readonly UnknownCitation[];
}

function summarise(prefix: ClausePrefix, clauses: readonly Clause[], cited: Set<string>[]): PrefixSummary {
  const own = clauses.filter((clause) => clause.prefix === prefix);
  const implemented = own.filter((clause) => clause.status === "implemented");
  const [inSource, inTests] = cited;
  return {
    prefix,
    clauses: own.length,
    implemented: implemented.length,
    policy: own.filter((clause) => clause.status === "policy").length,
    notApplicable: own.filter((clause) => clause.status === "not-applicable").length,
    implementedInSource: implemented.filter((clause) => inSource?.has(clause.id)).length,
    implementedInTests: implemented.filter((clause) => inTests?.has(clause.id)).length,
  };
}

/** Which clauses are cited where; `prefixes` restricts every part of the answer. */
export function coverage(
  catalogue: Catalogue,
  citations: readonly Citation[],
  prefixes: readonly ClausePrefix[] = CLAUSE_PREFIXES,
): Coverage {
  const wanted = (id: string): boolean => prefixes.some((prefix) => id.startsWith(`${prefix}-`));
  const inSource = new Set(citations.filter((c) => c.kind === "source").map((c) => c.id));
  const inTests = new Set(citations.filter((c) => c.kind === "test").map((c) => c.id));
  const tracked = catalogue.clauses.filter((c) => wanted(c.id) && c.status !== "not-applicable");
  const unknown = new Map<string, Citation[]>();
  for (const citation of citations) {
    if (catalogue.byId.has(citation.id) || !wanted(citation.id)) continue;
    unknown.set(citation.id, [...(unknown.get(citation.id) ?? []), citation]);
  }
  return {
    summary: prefixes.map((prefix) => summarise(prefix, catalogue.clauses, [inSource, inTests])),
    missingSource: tracked.filter((clause) => !inSource.has(clause.id)),
    missingTest: tracked.filter((clause) => !inTests.has(clause.id)),
    unknown: [...unknown].map(([id, found]) => ({ id, citations: found })),
  };
}

/** The gate: every implemented clause cited in source and in a test, and no unknown id cited. */
export function gatePasses(result: Coverage): boolean {
  const gap = (clause: Clause): boolean => clause.status === "implemented";
  return (
    !result.missingSource.some(gap) && !result.missingTest.some(gap) && result.unknown.length === 0
  );
}
