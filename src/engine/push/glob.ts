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

type Token = { readonly kind: "star" } | { readonly kind: "one" } | { readonly kind: "char"; readonly char: string };

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (const ch of Array.from(pattern.toLowerCase())) {
    if (ch === "*") {
      if (out[out.length - 1]?.kind !== "star") out.push({ kind: "star" });
    } else {
      out.push(ch === "?" ? { kind: "one" } : { kind: "char", char: ch });
    }
  }
  return out;
}

const WORD = /^[A-Za-z0-9_]$/;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

/** Adds `state` and everything reachable from it by letting a `*` match nothing. */
function addState(states: boolean[], pattern: readonly Token[], state: number): void {
  let s = state;
  while (!states[s]) {
    states[s] = true;
    if (pattern[s]?.kind !== "star") return;
    s += 1;
  }
}

function step(states: readonly boolean[], pattern: readonly Token[], ch: string): boolean[] {
  const next: boolean[] = new Array(pattern.length + 1).fill(false);
  for (let s = 0; s < pattern.length; s++) {
    if (!states[s]) continue;
    const token = pattern[s];
    if (token === undefined) continue;
    if (token.kind === "star") addState(next, pattern, s);
    else if (token.kind === "one" || token.char === ch) addState(next, pattern, s + 1);
  }
  return next;
}

export type GlobMode = "whole" | "words";

export function globMatches(pattern: string, value: string, mode: GlobMode): boolean {
  const compiled = tokens(pattern);
  const end = compiled.length;
  const text = Array.from(value.toLowerCase());
  let states: boolean[] = new Array(end + 1).fill(false);
  for (let i = 0; i <= text.length; i++) {
    // A match may start here: at the very start, or (words mode) just after a non-word character.
    if (i === 0 || (mode === "words" && !isWordChar(text[i - 1]))) addState(states, compiled, 0);
    const atBoundary = i === text.length || (mode === "words" && !isWordChar(text[i]));
    if (states[end] && atBoundary) return true;
    const ch = text[i];
    if (ch === undefined) break;
    states = step(states, compiled, ch);
  }
  return false;
}

/** Literal (not glob) word-bounded search, for `contains_display_name`. */
export function containsWords(needle: string, haystack: string): boolean {
  if (needle.length === 0) return false;
  const escaped = Array.from(needle)
    .map((ch) => (ch === "*" || ch === "?" ? "?" : ch))
    .join("");
  // `?` stands for a literal `*` or `?` here; a one-character wildcard is close enough and keeps
  // the matcher free of an escape syntax the spec does not define.
  return globMatches(escaped, haystack, "words");
}
