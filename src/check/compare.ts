/**
 * `--compare-with reference`: each scenario runs on the target and on the in-process reference,
 * and each run leaves a list of observations — what a client or the recording gateway saw, in a
 * form that does not depend on the server (statuses, message ids, field names, delays rounded to
 * the reference's grid). The first index where the two lists differ is the first divergence in
 * observable behaviour. A divergence is not by itself a failure: the spec leaves room (policies),
 * and the report shows both sides so a reader can judge.
 */

export interface Observation {
  readonly step: string;
  readonly seen: string;
}

export interface Divergence {
  /** Which run of the property (1-based) diverged first, and at which observation. */
  readonly run: number;
  readonly index: number;
  readonly step: string;
  readonly target: string;
  readonly reference: string;
}

export function firstDivergence(run: number, target: readonly Observation[], reference: readonly Observation[]): Divergence | null {
  const length = Math.max(target.length, reference.length);
  for (let i = 0; i < length; i++) {
    const t = target[i];
    const r = reference[i];
    if (t?.step === r?.step && t?.seen === r?.seen) continue;
    return {
      run,
      index: i + 1,
      step: t?.step ?? r?.step ?? "",
      target: t === undefined ? "(nothing: the run ended)" : `${t.step}: ${t.seen}`,
      reference: r === undefined ? "(nothing: the run ended)" : `${r.step}: ${r.seen}`,
    };
  }
  return null;
}
