/**
 * Glob-style matching for push rules (appendices, "Glob-style matching": `*` matches zero or
 * more characters, `?` exactly one; everything else literally), case-insensitive.
 *
 * Two modes, from the `event_match` condition:
 * - `whole`: the pattern must match the entire value;
 * - `words` (for `content.body` and content rules): the pattern must match "any substring of
 *   the value which starts and ends at a word boundary", a boundary being the start or end of
 *   the value or any character outside `[A-Za-z0-9_]`.
 *
 * Patterns come from users, so this is not a regular expression (a pattern like `*a*a*a*b`
 * backtracks badly): it simulates the pattern's automaton over the text once, which costs at
 * most (text length × pattern length) steps.
 */

/** A pattern character: `*`, `?`, or one to match literally (lower-cased, as the text is). */
type Token = "*" | "?" | { readonly char: string };

function tokens(pattern: string): Token[] {
  return Array.from(pattern.toLowerCase(), (ch): Token => (ch === "*" || ch === "?" ? ch : { char: ch }));
}

/** Tested against one character (a code point) at a time, so it needs no anchors. */
const WORD = /[A-Za-z0-9_]/;

/** Adds `state` and everything reachable from it by letting a `*` match nothing. */
function addState(states: boolean[], pattern: readonly Token[], state: number): void {
  let s = state;
  while (!states[s]) {
    states[s] = true;
    if (pattern[s] !== "*") return;
    s += 1;
  }
}

function step(states: readonly boolean[], pattern: readonly Token[], ch: string): boolean[] {
  // Stryker disable next-line ArrayDeclaration: addState and globMatches read a missing entry as false, so an unsized array of falses behaves as the sized one
  const next: boolean[] = new Array(pattern.length + 1).fill(false);
  for (const [s, token] of pattern.entries()) {
    if (!states[s]) continue;
    if (token === "*") addState(next, pattern, s);
    else if (token === "?" || token.char === ch) addState(next, pattern, s + 1);
  }
  return next;
}

export type GlobMode = "whole" | "words";

export function globMatches(pattern: string, value: string, mode: GlobMode): boolean {
  const compiled = tokens(pattern);
  const end = compiled.length;
  const text = Array.from(value.toLowerCase());
  /** Past either end of the text, or (words mode) at a character outside `[A-Za-z0-9_]`. */
  const isBoundary = (ch: string | undefined): boolean => ch === undefined || (mode === "words" && !WORD.test(ch));
  // Stryker disable next-line ArrayDeclaration: addState and step read a missing entry as false, so an unsized array of falses behaves as the sized one
  let states: boolean[] = new Array(end + 1).fill(false);
  for (let i = 0; ; i++) {
    // A match may start just after a boundary (text[-1] is past the start) and must end just before one.
    if (isBoundary(text[i - 1])) addState(states, compiled, 0);
    const ch = text[i];
    if (states[end] && isBoundary(ch)) return true;
    if (ch === undefined) return false;
    states = step(states, compiled, ch);
  }
}

/** Literal (not glob) word-bounded search, for `contains_display_name`. */
export function containsWords(needle: string, haystack: string): boolean {
  if (needle.length === 0) return false;
  // A `*` becomes `?`, so a `*` or `?` in the name stands for one character of any kind: close
  // enough to literal, and it keeps the matcher free of an escape syntax the spec does not define.
  const escaped = Array.from(needle)
    .map((ch) => (ch === "*" ? "?" : ch))
    .join("");
  return globMatches(escaped, haystack, "words");
}
