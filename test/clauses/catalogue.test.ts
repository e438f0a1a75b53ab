// Checks that api/clauses.yaml loads and is well formed (dense unique ids, both seeds covered,
// every DESIGN policy present, open questions answered by policies) and that malformed catalogues
// under fixtures/invalid are refused with an error naming the entry; assumes the cwd is the repo root.
// Ids are assembled at run time (clauseId) so this file cites no clause itself.
import { describe, expect, test } from "vitest";
import {
  CLAUSE_PREFIXES,
  type Catalogue,
  CatalogueError,
  loadCatalogue,
  parseCatalogue,
} from "../../scripts/clauses-catalogue.ts";

const CATALOGUE = "api/clauses.yaml";
const INVALID = "test/clauses/fixtures/invalid";
const clauseId = (prefix: string, n: number): string => [prefix, n].join("-");

/** The policies DESIGN.md ("Policies") requires, by their catalogue names. */
const DESIGN_POLICIES = [
  "undelivered-expiry",
  "device-deletion",
  "unknown-recipients",
  "wildcard-mixed",
  "spoofed-edu-sender",
  "txn-body-mismatch",
  "zero-counts",
  "legacy-notification-id",
  "per-sync-limit",
  "push-backoff",
];

describe("the real catalogue", () => {
  const catalogue: Catalogue = loadCatalogue(CATALOGUE);

  test("has well over 60 clauses", () => {
    expect(catalogue.clauses.length).toBeGreaterThan(60);
  });

  test("numbers each prefix densely from 1, in file order, with no repeats", () => {
    for (const prefix of CLAUSE_PREFIXES) {
      const numbers = catalogue.clauses.filter((c) => c.prefix === prefix).map((c) => c.number);
      expect(numbers.length, prefix).toBeGreaterThan(0);
      expect(numbers, prefix).toEqual(numbers.map((_, index) => index + 1));
    }
    expect(new Set(catalogue.clauses.map((c) => c.id)).size).toBe(catalogue.clauses.length);
  });

  test("has clauses from each seed and from the current spec", () => {
    const count = (doc: string): number => catalogue.clauses.filter((c) => c.source.doc === doc).length;
    // Each seed is paraphrased sentence by sentence: dozens of clauses, not a token few.
    expect(count("seed-2016-to-device")).toBeGreaterThanOrEqual(30);
    expect(count("seed-2015-push")).toBeGreaterThanOrEqual(30);
    expect(count("spec")).toBeGreaterThanOrEqual(30);
  });

  test("lists every policy DESIGN.md names, each tied to at least one clause", () => {
    const names = catalogue.policies.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(DESIGN_POLICIES));
    for (const policy of catalogue.policies) {
      expect(policy.clauses.length, policy.name).toBeGreaterThan(0);
    }
  });

  test("answers every seed TODO-spec question with a policy", () => {
    const questions = catalogue.clauses.filter((c) => c.source.where.includes("TODO-spec"));
    expect(questions.length).toBeGreaterThanOrEqual(4);
    for (const clause of questions) expect(clause.status, clause.id).toBe("policy");
  });

  test("lists each policy-status clause under the policy it names", () => {
    const byName = new Map(catalogue.policies.map((p) => [p.name, p]));
    for (const clause of catalogue.clauses.filter((c) => c.status === "policy")) {
      expect(byName.get(clause.policy ?? "")?.clauses, clause.id).toContain(clause.id);
    }
  });
});

describe("invalid catalogues", () => {
  const cases: [file: string, fragments: string[]][] = [
    ["duplicate-id.yaml", [clauseId("TD", 1), "duplicate"]],
    ["bad-prefix.yaml", [clauseId("XX", 2), "id must be"]],
    ["bad-level.yaml", [clauseId("TD", 2), "level"]],
    ["bad-status.yaml", [clauseId("FED", 1), "status"]],
    ["unknown-policy.yaml", [clauseId("PUSH", 1), "no-such-policy"]],
    ["policy-unnamed.yaml", [clauseId("GW", 1), "policy"]],
    ["policy-unknown-clause.yaml", ["sample-policy", clauseId("TD", 7)]],
    ["not-yaml.txt", ["not valid YAML"]],
  ];

  test.each(cases)("%s is refused with an error naming the entry", (file, fragments) => {
    const path = `${INVALID}/${file}`;
    let error: unknown;
    try {
      loadCatalogue(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CatalogueError);
    const message = error instanceof Error ? error.message : "";
    for (const fragment of [path, ...fragments]) expect(message).toContain(fragment);
  });

  test("a missing file and a document without the two lists are refused", () => {
    expect(() => loadCatalogue(`${INVALID}/absent.yaml`)).toThrow(CatalogueError);
    expect(() => parseCatalogue("clauses: []\n")).toThrow(/policies/);
  });
});
