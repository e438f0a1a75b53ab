/**
 * A run's verdict, one line per guarantee of DESIGN "Guarantees" (the names the report's policy ×
 * guarantee matrix uses), each with the clauses it checks and its findings:
 *
 * - exactly-once (TD-11, FED-18, FED-21): nothing lost, duplicated or unsent in any device chain;
 * - order (TD-20, FED-20): per origin, a device commits messages in acceptance order;
 * - idempotency (TD-38, TD-39, FED-16): a retransmission changed nothing and got the first answer;
 * - liveness (TD-19, FED-21, PUSH-60): quiescent within the bound after faults heal;
 * - and the push guarantees of `push-check.ts`, when the run has push.
 */
import { type BackoffConfig, DEFAULT_BACKOFF } from "../engine/push/backoff.ts";
import type { Guarantee } from "../report/matrix.ts";
import { checkPush, type PushFinding } from "./push-check.ts";
import { checkToDevice } from "./todevice-check.ts";
import type { World } from "./world.ts";

export interface GuaranteeVerdict {
  readonly guarantee: Guarantee;
  readonly clauses: readonly string[];
  /** `null` when the run did not exercise it (push guarantees without push). */
  readonly holds: boolean | null;
  readonly findings: readonly string[];
}

export interface RunVerdict {
  readonly ok: boolean;
  readonly guarantees: readonly GuaranteeVerdict[];
}

const CLAUSES: Record<Guarantee, readonly string[]> = {
  "exactly-once": ["TD-11", "FED-18", "FED-21", "FED-22"],
  order: ["TD-20", "FED-20"],
  idempotency: ["TD-38", "TD-39", "FED-16"],
  liveness: ["TD-19", "FED-21", "PUSH-60"],
  "push-at-least-once": ["PUSH-2", "PUSH-26", "PUSH-60"],
  "push-exactly-once-at-provider": ["GW-17"],
  "push-order": ["PUSH-2", "PUSH-60"],
  "no-send-after-reject": ["PUSH-29", "PUSH-30"],
  "backoff-bounds": ["PUSH-26", "PUSH-27", "PUSH-60"],
};

const MAX_FINDINGS = 20;

function verdict(guarantee: Guarantee, findings: readonly string[] | null): GuaranteeVerdict {
  if (findings === null) return { guarantee, clauses: CLAUSES[guarantee], holds: null, findings: [] };
  return { guarantee, clauses: CLAUSES[guarantee], holds: findings.length === 0, findings };
}

function toDeviceFindings(w: World): { exactlyOnce: string[]; order: string[] } {
  const exactlyOnce: string[] = [];
  const order: string[] = [];
  const from = (origin: number) => (origin < 0 ? "never sent" : `from hs${origin + 1}`);
  for (const v of checkToDevice(w.history)) {
    for (const x of v.lost) exactlyOnce.push(`lost: ${x.id} (${from(v.origin)}) never committed by ${x.device}`);
    for (const x of v.duplicated) exactlyOnce.push(`duplicated: ${x.id} committed ${x.count} times by ${x.device}`);
    for (const x of v.unexpected) exactlyOnce.push(`unexpected: ${x.id} (${from(v.origin)}) committed by ${x.device}`);
    for (const x of v.reordered) order.push(`reordered: ${x.id} committed by ${x.device} after ${x.after}, which hs${v.origin + 1} accepted later`);
  }
  return { exactlyOnce, order };
}

function livenessFindings(w: World, boundMs: number): string[] {
  if (w.quiescedAt !== null) return [];
  return [`not quiescent ${boundMs}ms after the workload ended at t=${w.end}ms: something acknowledged was never delivered`];
}

function pushFindings(guarantee: Guarantee, findings: readonly PushFinding[]): string[] {
  return findings.filter((f) => f.guarantee === guarantee).map((f) => `${f.pushkey}: ${f.detail}`);
}

export function judge(w: World): RunVerdict {
  const td = toDeviceFindings(w);
  const idempotency = w.history.idempotency.map((f) => `t=${f.at}ms ${f.id}: ${f.reason}`);
  const backoff: BackoffConfig = { ...DEFAULT_BACKOFF, ...w.policies.push?.backoff };
  const push = w.gateway === null ? null : checkPush(w.history.pushers.values(), backoff);
  const list: GuaranteeVerdict[] = [
    verdict("exactly-once", td.exactlyOnce),
    verdict("order", td.order),
    verdict("idempotency", idempotency),
    verdict("liveness", livenessFindings(w, w.deadline - w.end)),
  ];
  for (const g of ["push-at-least-once", "push-exactly-once-at-provider", "push-order", "no-send-after-reject", "backoff-bounds"] as const) {
    list.push(verdict(g, push === null ? null : pushFindings(g, push)));
  }
  const guarantees = list.map((g) => ({ ...g, findings: g.findings.slice(0, MAX_FINDINGS) }));
  return { ok: list.every((g) => g.holds !== false), guarantees };
}

/** The first broken guarantee and its first finding, for a one-line failure message. */
export function firstViolation(v: RunVerdict): string | null {
  const broken = v.guarantees.find((g) => g.holds === false);
  return broken === undefined ? null : `${broken.guarantee} (${broken.clauses.join(", ")}): ${broken.findings[0] ?? ""}`;
}
