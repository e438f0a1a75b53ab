/**
 * The history checker moved to `src/check/history.ts`, where the conformance checker
 * (`courier check`) uses it too; this re-export keeps the test imports working.
 */
export { checkHistory, type History, type RecordedSend, type SendOutcome, type Verdict, type Violation } from "../../src/check/history.ts";
