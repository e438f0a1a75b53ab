// Checks the policy × guarantee matrix model: every catalogue policy is a row and every
// guarantee a column, only cells with an experiment count as measured, failures keep their
// counterexample, an experiment that throws becomes an error (not a pass), and the registry
// refuses duplicates and unknown guarantees. The experiments here are local stand-ins passed
// to runMatrix directly; the shared registry is restored after each test.
import { afterEach, describe, expect, it } from "vitest";
import { loadCatalogue } from "../../scripts/clauses-catalogue.ts";
import { PROJECT_ROOT } from "../../src/report/build.ts";
import {
  type Bounds,
  experiments,
  GUARANTEES,
  type Guarantee,
  measuredSentence,
  type PolicyExperiment,
  registerExperiment,
  runMatrix,
} from "../../src/report/matrix.ts";

const catalogue = loadCatalogue(`${PROJECT_ROOT}/api/clauses.yaml`);
const [first, second] = catalogue.policies;
const quiet = { runs: 7, seed: 3, budgetMs: 700, progress: () => {}, clock: () => 0 };

function experiment(policy: string, setting: string, guarantee: Guarantee, run: PolicyExperiment["run"]): PolicyExperiment {
  return { policy, setting, guarantee, run };
}

afterEach(() => {
  experiments.length = 0;
});

describe("runMatrix", () => {
  it("shows every policy and guarantee, with nothing measured when nothing is registered", async () => {
    const matrix = await runMatrix(catalogue.policies, [], quiet);
    expect(matrix.rows.map((row) => row.policy)).toEqual(catalogue.policies.map((p) => p.name));
    expect(matrix.guarantees).toEqual(GUARANTEES);
    expect(matrix.rows.every((row) => row.cells.length === GUARANTEES.length && row.cells.every((c) => c.length === 0))).toBe(true);
    expect(matrix.measuredCells).toBe(0);
    expect(matrix.totalCells).toBe(catalogue.policies.length * GUARANTEES.length);
    expect(measuredSentence(matrix)).toBe(
      `0 of ${matrix.totalCells} cells measured (${catalogue.policies.length} policies × ${GUARANTEES.length} guarantees): ` +
        `no experiment is registered yet, so every cell reads "not measured".`,
    );
  });

  it("fills the cells that have experiments, passes the bounds, and keeps failures and errors apart", async () => {
    if (first === undefined || second === undefined) throw new Error("the catalogue needs two policies");
    const seen: Bounds[] = [];
    const trace = { actors: ["a", "b"], steps: [{ from: "a", to: "b", label: "lost", kind: "lost" as const }] };
    const list = [
      experiment(first.name, "on", "order", async (bounds) => {
        seen.push(bounds);
        return { holds: true, runs: bounds.runs, seed: bounds.seed };
      }),
      experiment(first.name, "off", "order", async (bounds) => ({ holds: false, runs: 2, seed: bounds.seed, counterexample: trace })),
      experiment(second.name, "x", "liveness", async () => {
        throw new Error("simulator missing");
      }),
      experiment("invented-policy", "y", "push-order", async () => ({ holds: true, runs: 1, seed: 0 })),
    ];
    const lines: string[] = [];
    const matrix = await runMatrix(catalogue.policies, list, { ...quiet, progress: (line) => lines.push(line) });
    expect(seen).toEqual([{ runs: 7, seed: 3, timeLimitMs: 175 }]);
    const row = (name: string) => matrix.rows.find((r) => r.policy === name);
    const order = row(first.name)?.cells[GUARANTEES.indexOf("order")] ?? [];
    expect(order.map((o) => `${o.setting}:${o.status}`)).toEqual(["on:holds", "off:fails"]);
    expect(order[1]?.result?.counterexample).toEqual(trace);
    const liveness = row(second.name)?.cells[GUARANTEES.indexOf("liveness")] ?? [];
    expect(liveness.map((o) => [o.status, o.error])).toEqual([["error", "simulator missing"]]);
    expect(row("invented-policy")?.catalogued).toBeUndefined();
    expect(matrix.rows).toHaveLength(catalogue.policies.length + 1);
    expect(matrix.measuredCells).toBe(3);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^matrix 1\/4 .*=on × order: holds \(7 runs, seed 3\)/);
    expect(measuredSentence(matrix)).toMatch(/^3 of \d+ cells measured .* by 4 experiments of at most 7 runs each \(seed 3\)\.$/);
  });
});

describe("registerExperiment", () => {
  const ok = async () => ({ holds: true, runs: 1, seed: 1 });

  it("adds to the shared registry and refuses the same policy, setting and guarantee twice", () => {
    registerExperiment(experiment("zero-counts", "send", "push-order", ok));
    expect(experiments).toHaveLength(1);
    expect(() => registerExperiment(experiment("zero-counts", "send", "push-order", ok))).toThrow(/already registered/);
    registerExperiment(experiment("zero-counts", "omit", "push-order", ok));
    expect(experiments).toHaveLength(2);
  });

  it("refuses a guarantee that is not a column", () => {
    const bad = { policy: "zero-counts", setting: "send", guarantee: "fairness", run: ok } as unknown as PolicyExperiment;
    expect(() => registerExperiment(bad)).toThrow(/unknown guarantee "fairness"/);
  });
});
