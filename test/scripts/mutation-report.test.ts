// Checks scripts/mutation-report.ts on a small hand-made Stryker report: the score counts
// killed and timed-out mutants over all but the ignored ones, survivors are listed with the
// source they replaced, and equivalent marks are listed with their reasons.
import { describe, expect, test } from "vitest";
import { markdown, readMutants, score, tallyByDirectory } from "../../scripts/mutation-report.ts";

const source = ["const a = 1 + 2;", "if (a > 2) go();", "label('x');"].join("\n");
const at = (line: number, from: number, to: number) => ({ start: { line, column: from }, end: { line, column: to } });
const report = {
  files: {
    "src/engine/x.ts": {
      source,
      mutants: [
        { id: "1", mutatorName: "ArithmeticOperator", replacement: "1 - 2", status: "Killed", location: at(1, 11, 16) },
        { id: "2", mutatorName: "EqualityOperator", replacement: "a >= 2", status: "Survived", location: at(2, 5, 10) },
        { id: "3", mutatorName: "BlockStatement", replacement: "{}", status: "Timeout", location: at(2, 12, 17) },
        { id: "4", mutatorName: "StringLiteral", replacement: '""', status: "Ignored", statusReason: "the label is never read", location: at(3, 7, 10) },
      ],
    },
    "src/other/y.ts": { source: "x", mutants: [{ id: "5", mutatorName: "BooleanLiteral", status: "NoCoverage", location: at(1, 1, 2) }] },
  },
};

describe("mutation-report", () => {
  test("the score is detected over detected plus undetected; ignored mutants count for neither", () => {
    const all = tallyByDirectory(readMutants(report, undefined)).get("all");
    expect(all).toEqual({ killed: 1, timeout: 1, survived: 1, noCoverage: 1, ignored: 1, errors: 0 });
    expect(score(all ?? ({} as never))).toBe(50);
    const engine = tallyByDirectory(readMutants(report, "src/engine/")).get("all");
    expect(score(engine ?? ({} as never))).toBeCloseTo(200 / 3);
  });

  test("the account lists each survivor with the code it replaced and each equivalent mark with its reason", () => {
    const text = markdown(readMutants(report, "src/engine/"), "r.json");
    expect(text).toContain("- `src/engine/x.ts:2:5` (Survived) EqualityOperator: `a > 2` → `a >= 2`");
    expect(text).toContain("- `src/engine/x.ts:3:7` StringLiteral: `'x'` → `\"\"` — the label is never read");
    expect(text).toContain("**66.67%** of 3 mutants detected");
    expect(text).not.toContain("src/other/y.ts");
  });
});
