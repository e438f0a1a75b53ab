// The clause catalogue (api/clauses.yaml): loading with validation, scanning a tree for clause
// citations, and the coverage of the one by the other. Used by `npm run clauses` and meant for
// `courier report`; it does no printing and never exits the process.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export const CLAUSE_PREFIXES = ["TD", "FED", "PUSH", "GW"] as const;
export type ClausePrefix = (typeof CLAUSE_PREFIXES)[number];
export const CLAUSE_LEVELS = ["MUST", "SHOULD", "MAY", "INFO"] as const;
export type ClauseLevel = (typeof CLAUSE_LEVELS)[number];
export const CLAUSE_STATUSES = ["implemented", "policy", "not-applicable"] as const;
export type ClauseStatus = (typeof CLAUSE_STATUSES)[number];
export const SOURCE_DOCS = ["seed-2016-to-device", "seed-2015-push", "spec"] as const;
export type SourceDoc = (typeof SOURCE_DOCS)[number];

export interface Clause {
  readonly id: string;
  readonly prefix: ClausePrefix;
  readonly number: number;
  readonly clause: string;
  readonly level: ClauseLevel;
  readonly source: { readonly doc: SourceDoc; readonly where: string };
  readonly status: ClauseStatus;
  readonly policy?: string;
  readonly differs?: string;
  readonly note?: string;
}

export interface Policy {
  readonly name: string;
  readonly question: string;
  readonly default: string;
  readonly alternatives: readonly string[];
  readonly clauses: readonly string[];
}

export interface Catalogue {
  readonly clauses: readonly Clause[];
  readonly policies: readonly Policy[];
  readonly byId: ReadonlyMap<string, Clause>;
}

/** The catalogue file is malformed; the message names the offending entry. */
export class CatalogueError extends Error {
  override readonly name = "CatalogueError";
}

const ID_SHAPE = /^(TD|FED|PUSH|GW)-([1-9]\d*)$/;

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

function text(entry: Fields, key: string, where: string, required: boolean): string | undefined {
  const value = entry[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new CatalogueError(`${where}: '${key}' must be a non-empty string`);
  }
  return value;
}

function parseClause(raw: unknown, index: number): Clause {
  const at = `clauses[${index}]`;
  if (!isFields(raw)) throw new CatalogueError(`${at}: not a mapping`);
  const id = text(raw, "id", at, true) ?? "";
  const where = `${at} (${id})`;
  const shape = ID_SHAPE.exec(id);
  if (shape === null || !oneOf(CLAUSE_PREFIXES, shape[1])) {
    throw new CatalogueError(`${where}: id must be ${CLAUSE_PREFIXES.join("|")} then -n (n from 1)`);
  }
  const { level, status, source } = raw;
  if (!oneOf(CLAUSE_LEVELS, level)) {
    throw new CatalogueError(`${where}: level must be one of ${CLAUSE_LEVELS.join(", ")}`);
  }
  if (!oneOf(CLAUSE_STATUSES, status)) {
    throw new CatalogueError(`${where}: status must be one of ${CLAUSE_STATUSES.join(", ")}`);
  }
  if (!isFields(source) || !oneOf(SOURCE_DOCS, source.doc)) {
    throw new CatalogueError(`${where}: source.doc must be one of ${SOURCE_DOCS.join(", ")}`);
  }
  if (status === "policy" && raw.policy === undefined) {
    throw new CatalogueError(`${where}: status policy needs a 'policy' naming an entry of policies:`);
  }
  const policy = text(raw, "policy", where, false);
  if (policy !== undefined && status !== "policy") {
    throw new CatalogueError(`${where}: 'policy' is only allowed when status is policy`);
  }
  const differs = text(raw, "differs", where, false);
  const note = text(raw, "note", where, false);
  return {
    id,
    prefix: shape[1],
    number: Number(shape[2]),
    clause: text(raw, "clause", where, true) ?? "",
    level,
    source: { doc: source.doc, where: text(source, "where", `${where} source`, true) ?? "" },
    status,
    ...(policy === undefined ? {} : { policy }),
    ...(differs === undefined ? {} : { differs }),
    ...(note === undefined ? {} : { note }),
  };
}

function stringList(entry: Fields, key: string, where: string): string[] {
  const value = entry[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new CatalogueError(`${where}: '${key}' must be a list of strings`);
  }
  return value;
}

function parsePolicy(raw: unknown, index: number): Policy {
  const at = `policies[${index}]`;
  if (!isFields(raw)) throw new CatalogueError(`${at}: not a mapping`);
  const name = text(raw, "name", at, true) ?? "";
  const where = `${at} (${name})`;
  return {
    name,
    question: text(raw, "question", where, true) ?? "",
    default: text(raw, "default", where, true) ?? "",
    alternatives: stringList(raw, "alternatives", where),
    clauses: stringList(raw, "clauses", where),
  };
}

function checkReferences(clauses: readonly Clause[], policies: readonly Policy[]): Map<string, Clause> {
  const byId = new Map<string, Clause>();
  for (const clause of clauses) {
    if (byId.has(clause.id)) throw new CatalogueError(`${clause.id}: duplicate clause id`);
    byId.set(clause.id, clause);
  }
  const names = new Set<string>();
  for (const policy of policies) {
    if (names.has(policy.name)) throw new CatalogueError(`policy ${policy.name}: duplicate name`);
    names.add(policy.name);
    const missing = policy.clauses.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new CatalogueError(`policy ${policy.name}: names unknown clauses ${missing.join(", ")}`);
    }
  }
  for (const clause of clauses) {
    if (clause.policy !== undefined && !names.has(clause.policy)) {
      throw new CatalogueError(`${clause.id}: policy '${clause.policy}' is not in policies:`);
    }
  }
  return byId;
}

/** Parses and validates catalogue text; `origin` names the file in error messages. */
export function parseCatalogue(source: string, origin = "catalogue"): Catalogue {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (error) {
    throw new CatalogueError(`${origin}: not valid YAML: ${String(error)}`);
  }
  if (!isFields(doc) || !Array.isArray(doc.clauses) || !Array.isArray(doc.policies)) {
    throw new CatalogueError(`${origin}: expected top-level 'policies' and 'clauses' lists`);
  }
  try {
    const clauses = doc.clauses.map(parseClause);
    const policies = doc.policies.map(parsePolicy);
    return { clauses, policies, byId: checkReferences(clauses, policies) };
  } catch (error) {
    if (error instanceof CatalogueError) throw new CatalogueError(`${origin}: ${error.message}`);
    throw error;
  }
}

/** Reads and validates the catalogue at `path`; throws CatalogueError naming a bad entry. */
export function loadCatalogue(path: string): Catalogue {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    throw new CatalogueError(`${path}: cannot read: ${String(error)}`);
  }
  return parseCatalogue(source, path);
}
