/**
 * Link checks shared by the report tests: the anchors and hrefs of the HTML page and of the
 * Markdown twin, and whether a relative link names a file that exists.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

function unescapeAttribute(value: string): string {
  return value.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

export function htmlHrefs(html: string): string[] {
  return [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => unescapeAttribute(m[1] ?? ""));
}

export function htmlIds(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => unescapeAttribute(m[1] ?? "")));
}

/** Targets of `[text](target)` and `![alt](target)`. */
export function markdownHrefs(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "");
}

export function markdownIds(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1] ?? ""));
}

export function isExternal(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href);
}

/** The file a relative link from `dir` points at, without its fragment. */
export function linkedFile(dir: string, href: string): string {
  const path = href.split("#")[0] ?? "";
  return resolve(dir, decodeURIComponent(path));
}

/** Relative links whose file does not exist, and in-page anchors with no element. */
export function brokenLinks(dir: string, hrefs: readonly string[], ids: ReadonlySet<string>): string[] {
  return hrefs.filter((href) => {
    if (href.startsWith("#")) return !ids.has(decodeURIComponent(href.slice(1)));
    if (isExternal(href)) return false;
    return !existsSync(linkedFile(dir, href));
  });
}
