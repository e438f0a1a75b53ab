/**
 * Where the seed texts and today's spec disagree, and how a spec author gets the seed-era
 * behaviour back. The named differences live in `seed-differences.yaml`; every other clause of
 * `api/clauses.yaml` that carries a `differs:` field is added after them, with the policy that
 * governs it when there is one.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Catalogue, Clause } from "../../scripts/clauses-catalogue.ts";

export const NO_POLICY = "none — Courier follows today's spec";
const SEE_ALTERNATIVES = "see the policy's alternatives";

export interface SeedDifference {
  readonly topic: string;
  readonly seed: string;
  readonly today: string;
  readonly clauses: readonly string[];
  /** A policy name from the catalogue, or null when none reproduces the seed. */
  readonly policy: string | null;
  readonly setting?: string;
  readonly courier?: string;
  /** `named`: from seed-differences.yaml; `catalogue`: from a clause's `differs:`. */
  readonly origin: "named" | "catalogue";
}

export interface SeedDifferenceData {
  readonly differences: readonly SeedDifference[];
  readonly seedSettings: ReadonlyMap<string, string>;
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(entry: Fields, key: string, where: string): string {
  const value = entry[key];
  if (typeof value !== "string" || value === "") throw new Error(`${where}: '${key}' must be a non-empty string`);
  return value;
}

function parseDifference(raw: unknown, index: number): SeedDifference {
  const where = `seed-differences.yaml differences[${index}]`;
  if (!isFields(raw)) throw new Error(`${where}: not a mapping`);
  const clauses = raw.clauses;
  if (!Array.isArray(clauses) || !clauses.every((id) => typeof id === "string")) {
    throw new Error(`${where}: 'clauses' must be a list of ids`);
  }
  const policy = raw.policy === null ? null : field(raw, "policy", where);
  return {
    topic: field(raw, "topic", where),
    seed: field(raw, "seed", where),
    today: field(raw, "today", where),
    clauses,
    policy,
    ...(policy === null ? {} : { setting: field(raw, "setting", where) }),
    courier: field(raw, "courier", where),
    origin: "named",
  };
}

export function parseSeedDifferences(text: string): SeedDifferenceData {
  const doc: unknown = parse(text);
  if (!isFields(doc) || !Array.isArray(doc.differences) || !isFields(doc.seed_settings)) {
    throw new Error("seed-differences.yaml: expected 'differences' (a list) and 'seed_settings' (a mapping)");
  }
  const settings = new Map<string, string>();
  for (const [id, setting] of Object.entries(doc.seed_settings)) {
    if (typeof setting !== "string") throw new Error(`seed-differences.yaml seed_settings.${id}: not a string`);
    settings.set(id, setting);
  }
  return { differences: doc.differences.map(parseDifference), seedSettings: settings };
}

export function loadSeedDifferences(): SeedDifferenceData {
  return parseSeedDifferences(readFileSync(new URL("./seed-differences.yaml", import.meta.url), "utf8"));
}

function governingPolicy(catalogue: Catalogue, clause: Clause): string | null {
  if (clause.policy !== undefined) return clause.policy;
  return catalogue.policies.find((policy) => policy.clauses.includes(clause.id))?.name ?? null;
}

function fromClause(catalogue: Catalogue, clause: Clause, differs: string, settings: ReadonlyMap<string, string>): SeedDifference {
  const policy = governingPolicy(catalogue, clause);
  // A seed clause paraphrases the seed and `differs` says what changed; a spec clause is the reverse.
  const fromSpec = clause.source.doc === "spec";
  return {
    topic: `${clause.source.where} (${clause.source.doc})`,
    seed: fromSpec ? differs : clause.clause,
    today: fromSpec ? clause.clause : differs,
    clauses: [clause.id],
    policy,
    ...(policy === null ? {} : { setting: settings.get(clause.id) ?? SEE_ALTERNATIVES }),
    origin: "catalogue",
  };
}

/** The named differences, then one per remaining catalogue clause with a `differs:` field. */
export function seedDifferences(catalogue: Catalogue, data: SeedDifferenceData = loadSeedDifferences()): SeedDifference[] {
  const named = new Set(data.differences.flatMap((difference) => difference.clauses));
  const collected = catalogue.clauses.flatMap((clause) =>
    clause.differs === undefined || named.has(clause.id) ? [] : [fromClause(catalogue, clause, clause.differs, data.seedSettings)],
  );
  return [...data.differences, ...collected];
}

/** The policy cell: the name and setting, or the plain statement that no policy exists. */
export function policyText(difference: SeedDifference): string {
  if (difference.policy === null) return NO_POLICY;
  return difference.setting === undefined ? difference.policy : `${difference.policy} — ${difference.setting}`;
}
