// Checks push-rule glob matching (whole-value and word-boundary modes) against the spec's own
// examples and, for random short inputs, against a regular-expression reference; assumes the
// ASCII word-character set the spec defines and case-insensitive matching.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { containsWords, globMatches } from "../../../src/engine/push/glob.ts";

const runs = 500 * (process.env.COURIER_DEEP ? 100 : 1);

function reference(pattern: string, value: string, mode: "whole" | "words"): boolean {
  const body = Array.from(pattern.toLowerCase())
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const source = mode === "whole" ? `^${body}$` : `(?:^|[^A-Za-z0-9_])${body}(?:[^A-Za-z0-9_]|$)`;
  return new RegExp(source, "su").test(value.toLowerCase());
}

describe("globMatches (event_match)", () => {
  it("matches the spec's content.topic example: lunc?* against whole values", () => {
    expect(globMatches("lunc?*", "Lunch plans", "whole")).toBe(true);
    expect(globMatches("lunc?*", "LUNCH", "whole")).toBe(true);
    expect(globMatches("lunc?*", " lunch", "whole")).toBe(false);
    expect(globMatches("lunc?*", "lunc", "whole")).toBe(false);
  });

  it("matches the spec's content.body example: ex*ple on word boundaries", () => {
    expect(globMatches("ex*ple", "An example event.", "words")).toBe(true);
    expect(globMatches("ex*ple", "exple", "words")).toBe(true);
    expect(globMatches("ex*ple", "An exciting triple-whammy", "words")).toBe(true);
    expect(globMatches("ex*ple", "An examples event", "words")).toBe(false);
    expect(globMatches("@room", "hi @room!", "words")).toBe(true);
    expect(globMatches("@room", "hi x@room", "words")).toBe(false);
  });

  it("answers a backtracking-prone pattern (the matcher is an automaton, linear in the text)", () => {
    // A backtracking matcher tries about n^7 ways here and would not end within the test's
    // timeout on 2,000 characters; the automaton answers in milliseconds. No clock is read.
    expect(globMatches("*a*a*a*a*a*a*a*b", "a".repeat(2_000), "words")).toBe(false);
    expect(globMatches("*a*a*a*a*a*a*a*b", `${"a".repeat(2_000)}b`, "words")).toBe(true);
  });

  test.prop([fc.stringMatching(/^[ab*? ]{0,6}$/), fc.stringMatching(/^[abAB _-]{0,12}$/), fc.constantFrom("whole" as const, "words" as const)], {
    numRuns: runs,
  })("agrees with a regular-expression reference", (pattern, value, mode) => {
    expect(globMatches(pattern, value, mode)).toBe(reference(pattern, value, mode));
  });
});

describe("containsWords (contains_display_name)", () => {
  it("finds a display name on word boundaries only, case-insensitively", () => {
    expect(containsWords("Bob", "hey bob, tea?")).toBe(true);
    expect(containsWords("Bob", "bobby")).toBe(false);
    expect(containsWords("", "anything")).toBe(false);
  });
});
