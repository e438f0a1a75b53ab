/**
 * The policy × guarantee matrix: for each policy of `api/clauses.yaml` and each guarantee of
 * DESIGN ("Guarantees"), whether the guarantee holds under each setting of the policy, found by
 * running a bounded experiment (a property suite or the simulator with that setting).
 *
 * Experiments are registered by the modules that own them, with `registerExperiment`, in files
 * named `*.experiment.ts` under src/ or test/ (the report imports every such file). A cell with
 * no experiment is shown as "not measured"; nothing here invents a result.
 */
import type { Policy } from "../../scripts/clauses-catalogue.ts";
import type { Trace } from "./sequence-diagram.ts";

export const GUARANTEES = [
  "exactly-once",
  "order",
  "idempotency",
  "liveness",
  "push-at-least-once",
  "push-exactly-once-at-provider",
  "push-order",
  "no-send-after-reject",
  "backoff-bounds",
] as const;

export type Guarantee = (typeof GUARANTEES)[number];

/** How hard an experiment may try; it reports how many runs it actually made. */
export interface Bounds {
  readonly runs: number;
  readonly seed: number;
  /** A share of the report's time budget; an experiment should stop early when it is spent. */
  readonly timeLimitMs: number;
}

export interface ExperimentResult {
  readonly holds: boolean;
  readonly runs: number;
  readonly seed: number;
  /** The minimal failing history, when `holds` is false. */
  readonly counterexample?: Trace;
  readonly note?: string;
}

export interface PolicyExperiment {
  /** A policy name from api/clauses.yaml `policies:`. */
  readonly policy: string;
  /** The policy's setting under test, e.g. `omit`, `send`, `100`. */
  readonly setting: string;
  readonly guarantee: Guarantee;
  run(bounds: Bounds): Promise<ExperimentResult>;
}

/** Every registered experiment, in registration order. */
export const experiments: PolicyExperiment[] = [];

function keyOf(experiment: Pick<PolicyExperiment, "policy" | "setting" | "guarantee">): string {
  return `${experiment.policy}=${experiment.setting} × ${experiment.guarantee}`;
}

export function registerExperiment(experiment: PolicyExperiment): void {
  if (!(GUARANTEES as readonly string[]).includes(experiment.guarantee)) {
    throw new Error(`registerExperiment: unknown guarantee ${JSON.stringify(experiment.guarantee)}; expected one of ${GUARANTEES.join(", ")}`);
  }
  if (experiments.some((existing) => keyOf(existing) === keyOf(experiment))) {
    throw new Error(`registerExperiment: ${keyOf(experiment)} is already registered`);
  }
  experiments.push(experiment);
}

export type OutcomeStatus = "holds" | "fails" | "error";

export interface Outcome {
  readonly policy: string;
  readonly setting: string;
  readonly guarantee: Guarantee;
  readonly status: OutcomeStatus;
  readonly result?: ExperimentResult;
  /** Why the experiment could not give an answer (it threw). */
  readonly error?: string;
  readonly ms: number;
}

export interface MatrixRow {
  readonly policy: string;
  /** Absent for a policy an experiment names that the catalogue does not have. */
  readonly catalogued?: Policy;
  /** One list of outcomes per guarantee, in GUARANTEES order; empty means not measured. */
  readonly cells: readonly (readonly Outcome[])[];
}

export interface Matrix {
  readonly guarantees: readonly Guarantee[];
  readonly rows: readonly MatrixRow[];
  readonly measuredCells: number;
  readonly totalCells: number;
  readonly experiments: number;
  readonly bounds: Bounds;
}

export function outcomeKey(outcome: Pick<Outcome, "policy" | "setting" | "guarantee">): string {
  return keyOf(outcome);
}

async function runOne(experiment: PolicyExperiment, bounds: Bounds, clock: () => number): Promise<Outcome> {
  const base = { policy: experiment.policy, setting: experiment.setting, guarantee: experiment.guarantee };
  const started = clock();
  try {
    const result = await experiment.run(bounds);
    return { ...base, status: result.holds ? "holds" : "fails", result, ms: clock() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, status: "error", error: message, ms: clock() - started };
  }
}

export interface MatrixOptions {
  readonly runs: number;
  readonly seed: number;
  /** Shared out evenly between the experiments as their `timeLimitMs`. */
  readonly budgetMs: number;
  readonly progress: (line: string) => void;
  /** Milliseconds from some origin; only differences are used. */
  readonly clock: () => number;
}

export function outcomeSummary(outcome: Outcome): string {
  if (outcome.status === "error") return `error: ${outcome.error ?? "unknown"}`;
  const runs = outcome.result?.runs ?? 0;
  return `${outcome.status} (${runs} run${runs === 1 ? "" : "s"}, seed ${outcome.result?.seed ?? "?"})`;
}

/** Runs every experiment once, one after another, and fills the matrix. */
export async function runMatrix(
  policies: readonly Policy[],
  registered: readonly PolicyExperiment[],
  options: MatrixOptions,
): Promise<Matrix> {
  const bounds: Bounds = {
    runs: options.runs,
    seed: options.seed,
    timeLimitMs: Math.floor(options.budgetMs / Math.max(1, registered.length)),
  };
  const outcomes: Outcome[] = [];
  for (const [index, experiment] of registered.entries()) {
    const outcome = await runOne(experiment, bounds, options.clock);
    outcomes.push(outcome);
    const seconds = (outcome.ms / 1000).toFixed(1);
    options.progress(`matrix ${index + 1}/${registered.length} ${keyOf(experiment)}: ${outcomeSummary(outcome)}, ${seconds} s`);
  }
  const names = [...policies.map((policy) => policy.name)];
  for (const experiment of registered) if (!names.includes(experiment.policy)) names.push(experiment.policy);
  const rows = names.map((name) => {
    const catalogued = policies.find((policy) => policy.name === name);
    const cells = GUARANTEES.map((guarantee) =>
      outcomes.filter((outcome) => outcome.policy === name && outcome.guarantee === guarantee),
    );
    return { policy: name, ...(catalogued === undefined ? {} : { catalogued }), cells };
  });
  return {
    guarantees: GUARANTEES,
    rows,
    measuredCells: rows.reduce((sum, row) => sum + row.cells.filter((cell) => cell.length > 0).length, 0),
    totalCells: rows.length * GUARANTEES.length,
    experiments: registered.length,
    bounds,
  };
}

/** The plain sentence the report opens the matrix with. */
export function measuredSentence(matrix: Matrix): string {
  const base = `${matrix.measuredCells} of ${matrix.totalCells} cells measured (${matrix.rows.length} policies × ${matrix.guarantees.length} guarantees)`;
  if (matrix.experiments === 0) return `${base}: no experiment is registered yet, so every cell reads "not measured".`;
  return `${base}, by ${matrix.experiments} experiment${matrix.experiments === 1 ? "" : "s"} of at most ${matrix.bounds.runs} runs each (seed ${matrix.bounds.seed}).`;
}
