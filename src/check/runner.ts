/**
 * Runs one checker property with fast-check: a fixed seed (printed, so any failure replays with
 * `--seed` and `--path`), a number of runs, and — when a run fails — shrinking from the failing
 * path within a time budget, because over HTTP every shrink step re-runs a scenario in real time.
 *
 * Each run gets a fresh transcript. Shrinking adopts a candidate only when it fails, so the last
 * failing run is the shrunk counterexample: its transcript is the trace the report prints.
 * Schema findings of every run are collected; with `compare`, every run of the first phase is
 * repeated on the reference and the first divergence kept.
 */
import fc from "fast-check";
import { type Divergence, firstDivergence, type Observation } from "./compare.ts";
import { formatTranscript, type SchemaFinding, Transcript } from "./transcript.ts";
import { clausesOf } from "./violation.ts";

export type SuiteName = "todevice" | "federation" | "push" | "gateway";

export interface RunContext {
  readonly trace: Transcript;
  readonly observations: Observation[];
}

export interface CheckProperty<T> {
  readonly id: string;
  readonly suite: SuiteName;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly runs: number;
  readonly arbitrary: fc.Arbitrary<T>;
  /** One scenario on the target; throws a `Violation` when the target breaks the property. */
  run(input: T, context: RunContext): Promise<void>;
  /** The same scenario on the in-process reference, for `--compare-with reference`. */
  reference?(input: T, context: RunContext): Promise<void>;
}

export interface Failure {
  readonly message: string;
  readonly clauses: readonly string[];
  readonly counterexample: string;
  readonly trace: string;
  readonly shrinks: number;
  readonly shrinkingCut: boolean;
}

export interface PropertyResult {
  readonly id: string;
  readonly suite: SuiteName;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly status: "passed" | "failed";
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly ms: number;
  readonly failure?: Failure;
  readonly findings: readonly SchemaFinding[];
  readonly divergence?: Divergence;
  readonly referenceTrace?: string;
  /** Observations of the last run compared (or passed): the report's side-by-side. */
  readonly observed?: readonly Observation[];
  readonly referenceObserved?: readonly Observation[];
}

export interface RunOptions {
  readonly runs?: number;
  readonly seed: number;
  readonly path?: string;
  readonly shrinkMs: number;
  readonly compare: boolean;
  readonly onRun?: (done: number, total: number, phase: "run" | "shrink") => void;
}

interface Failed {
  readonly error: unknown;
  readonly trace: Transcript;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One property's runs: the state the fast-check predicate keeps between runs. */
class PropertyRun<T> {
  readonly findings = new Map<string, SchemaFinding>();
  last: Failed | null = null;
  phase: "run" | "shrink" = "run";
  done = 0;
  divergence: Divergence | undefined;
  referenceTrace: string | undefined;
  observed: Observation[] | undefined;
  referenceObserved: Observation[] | undefined;

  constructor(
    readonly property: CheckProperty<T>,
    readonly options: RunOptions,
    readonly total: number,
  ) {}

  /** One run on the target; throws what the target broke, for fast-check to shrink. */
  readonly predicate = async (input: T): Promise<void> => {
    const context: RunContext = { trace: new Transcript(), observations: [] };
    this.done++;
    this.options.onRun?.(this.done, this.total, this.phase);
    let failure: unknown = null;
    try {
      await this.property.run(input, context);
    } catch (e) {
      failure = e;
      context.observations.push({ step: "verdict", seen: `violation: ${(e as Error).message}` });
    }
    for (const f of context.trace.findings) this.findings.set(`${f.operationId} ${f.status} ${f.problem}`, f);
    if (this.phase === "run" && this.options.compare && this.divergence === undefined) await this.compare(input, context.observations);
    if (failure === null) {
      if (!this.options.compare) this.observed = context.observations;
      return;
    }
    this.last = { error: failure, trace: context.trace };
    throw failure;
  };

  /** The same input on the reference; keeps the first divergence and its reference trace. */
  private async compare(input: T, target: Observation[]): Promise<void> {
    if (this.property.reference === undefined) return;
    const reference: RunContext = { trace: new Transcript(), observations: [] };
    try {
      await this.property.reference(input, reference);
    } catch (e) {
      reference.observations.push({ step: "verdict", seen: `violation: ${(e as Error).message}` });
    }
    this.observed = target;
    this.referenceObserved = reference.observations;
    const d = firstDivergence(this.done, target, reference.observations);
    if (d !== null) {
      this.divergence = d;
      this.referenceTrace = formatTranscript(reference.trace);
    }
  }

  extras() {
    return {
      findings: [...this.findings.values()],
      ...(this.divergence === undefined ? {} : { divergence: this.divergence }),
      ...(this.referenceTrace === undefined ? {} : { referenceTrace: this.referenceTrace }),
      ...(this.observed === undefined ? {} : { observed: this.observed }),
      ...(this.referenceObserved === undefined ? {} : { referenceObserved: this.referenceObserved }),
    };
  }
}

function failureOf(failed: Failed, result: fc.RunDetails<unknown>): Failure {
  return {
    message: String((failed.error as Error)?.message ?? failed.error),
    clauses: clausesOf(failed.error),
    counterexample: cut(result.counterexample === null ? "" : fc.stringify(result.counterexample), 2_000),
    trace: formatTranscript(failed.trace),
    shrinks: result.numShrinks,
    shrinkingCut: result.interrupted,
  };
}

export async function checkProperty<T>(property: CheckProperty<T>, options: RunOptions): Promise<PropertyResult> {
  const started = Date.now();
  const state = new PropertyRun(property, options, options.runs ?? property.runs);
  const prop = fc.asyncProperty(property.arbitrary, state.predicate);
  const params = { seed: options.seed, numRuns: state.total, ...(options.path === undefined ? {} : { path: options.path }) };
  const first = await fc.check(prop, { ...params, endOnFailure: true });
  let result = first;
  if (first.failed) {
    state.phase = "shrink";
    state.done = 0;
    const shrunk = await fc.check(prop, { ...params, path: first.counterexamplePath ?? "", interruptAfterTimeLimit: options.shrinkMs });
    if (shrunk.failed) result = shrunk;
  }
  const base = { id: property.id, suite: property.suite, title: property.title, clauses: property.clauses, seed: options.seed, ms: Date.now() - started, runs: first.numRuns };
  const failed = state.last;
  if (!result.failed || failed === null) return { ...base, ...state.extras(), status: "passed" };
  const path = result.counterexamplePath === null ? {} : { path: result.counterexamplePath };
  return { ...base, ...state.extras(), ...path, status: "failed", failure: failureOf(failed, result as fc.RunDetails<unknown>) };
}
