/**
 * What a client expects `/sendToDevice` to answer, and the comparison the send and replay
 * commands use: a first request must get 200 `{}` (TD-9) or, with an oversized content, 413
 * `M_TOO_LARGE` (TD-50); a retransmission must get the first answer again, status and body
 * (TD-38). Error bodies are compared by errcode: their human-readable text may vary.
 */
import { type Answer, describeAnswer, errcodeOf } from "../driver.ts";
import { Violation } from "../violation.ts";

export const OK_EMPTY: Answer = { status: 200, body: {} };
export const TOO_LARGE: Answer = { status: 413, body: { errcode: "M_TOO_LARGE" } };

export function sameAnswer(actual: Answer, expected: Answer): boolean {
  if (actual.status !== expected.status) return false;
  if (actual.status === 200) return JSON.stringify(actual.body) === JSON.stringify(expected.body);
  return errcodeOf(actual) === errcodeOf(expected);
}

/** Throws a violation naming `clauses` unless `actual` is `expected`. */
export function expectAnswer(actual: Answer, expected: Answer, clauses: readonly string[], what: string): void {
  if (sameAnswer(actual, expected)) return;
  throw new Violation(clauses, `${what}: expected the answer ${describeAnswer(actual)} to deeply equal ${describeAnswer(expected)}`);
}
