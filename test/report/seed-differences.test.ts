// Checks the seed-versus-today table: the six differences the project names are there, every
// clause id and policy it mentions exists in api/clauses.yaml, every clause with a `differs:`
// field is covered by some row, and a row without a policy says so plainly. Assumes the
// catalogue in api/clauses.yaml and the data in src/report/seed-differences.yaml.
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../scripts/clauses-catalogue.ts";
import { PROJECT_ROOT } from "../../src/report/build.ts";
import {
  loadSeedDifferences,
  NO_POLICY,
  parseSeedDifferences,
  policyText,
  seedDifferences,
} from "../../src/report/seed-differences.ts";

const catalogue = loadCatalogue(`${PROJECT_ROOT}/api/clauses.yaml`);
const rows = seedDifferences(catalogue);
const named = rows.filter((row) => row.origin === "named");

describe("seedDifferences", () => {
  it("opens with the six named differences", () => {
    const topics = [/`id` or `event_id`/, /`counts` and `devices`/, /r0 or v3/, /Transaction-id scope/, /query string/, /Zero counts/];
    expect(named).toHaveLength(topics.length);
    for (const [i, topic] of topics.entries()) expect(named[i]?.topic).toMatch(topic);
    expect(rows.slice(0, named.length)).toEqual(named);
  });

  it("names only clauses and policies the catalogue defines", () => {
    const policies = new Set(catalogue.policies.map((policy) => policy.name));
    for (const row of rows) {
      for (const id of row.clauses) expect(catalogue.byId.has(id), `${row.topic}: ${id}`).toBe(true);
      if (row.policy !== null) expect(policies.has(row.policy), `${row.topic}: ${row.policy}`).toBe(true);
    }
    for (const id of loadSeedDifferences().seedSettings.keys()) expect(catalogue.byId.has(id), id).toBe(true);
  });

  it("covers every clause that carries a differs field, adding no row for a clause a named row covers", () => {
    const covered = rows.flatMap((row) => row.clauses);
    const differing = catalogue.clauses.filter((clause) => clause.differs !== undefined).map((clause) => clause.id);
    expect(differing.length).toBeGreaterThan(0);
    for (const id of differing) expect(covered).toContain(id);
    const namedIds = new Set(named.flatMap((row) => row.clauses));
    const added = rows.filter((row) => row.origin === "catalogue").flatMap((row) => row.clauses);
    expect(added.filter((id) => namedIds.has(id))).toEqual([]);
    expect(new Set(added).size).toBe(added.length);
  });

  it("gives each row a policy and setting, or the plain statement that there is none", () => {
    for (const row of rows) {
      if (row.policy === null) expect(policyText(row)).toBe(NO_POLICY);
      else expect(policyText(row)).toMatch(new RegExp(`^${row.policy} — .+`));
    }
    expect(NO_POLICY).toBe("none — Courier follows today's spec");
  });

  it("takes a catalogue clause's governing policy and its side of the difference", () => {
    const fromCatalogue = rows.filter((row) => row.origin === "catalogue");
    for (const row of fromCatalogue) {
      const clause = catalogue.byId.get(row.clauses[0] ?? "");
      expect(clause?.differs).toBeDefined();
      const side = clause?.source.doc === "spec" ? row.seed : row.today;
      expect(side).toBe(clause?.differs);
      if (clause?.policy !== undefined) expect(row.policy).toBe(clause.policy);
    }
  });
});

describe("parseSeedDifferences", () => {
  it("refuses a row without a setting for its policy, naming the row", () => {
    const text = [
      "differences:",
      "  - {topic: t, seed: s, today: n, clauses: [], policy: p, courier: c}",
      "seed_settings: {}",
    ].join("\n");
    expect(() => parseSeedDifferences(text)).toThrow(/differences\[0\]: 'setting'/);
  });

  it("refuses a file without the two top-level keys", () => {
    expect(() => parseSeedDifferences("differences: []")).toThrow(/seed_settings/);
  });
});
