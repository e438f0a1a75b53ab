/**
 * Routing a device to a provider by its `app_id`, as Sygnal does (research/push.md §3.2): a
 * configured key equal to the app id wins; otherwise the glob keys (`*` any run of characters,
 * `?` one character) are tried, and exactly one must match. No match and several matches are
 * both answered by rejecting that device's pushkey, never by failing the request.
 */
import type { AppConfig } from "./config.ts";

export interface Route {
  /** The configuration key that matched: names the provider instance. */
  readonly appKey: string;
  readonly app: AppConfig;
}

export type RouteResult =
  | { readonly ok: true; readonly route: Route }
  | { readonly ok: false; readonly reason: "unknown app id" | "ambiguous app id"; readonly candidates: readonly string[] };

export interface RoutingTable {
  readonly exact: ReadonlyMap<string, AppConfig>;
  readonly globs: readonly { readonly key: string; readonly pattern: RegExp; readonly app: AppConfig }[];
}

function isGlob(key: string): boolean {
  return key.includes("*") || key.includes("?");
}

/** Anchored: a glob matches the whole app id. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const ch of glob) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

export function compileRoutes(apps: Readonly<Record<string, AppConfig>>): RoutingTable {
  const exact = new Map<string, AppConfig>();
  const globs: { key: string; pattern: RegExp; app: AppConfig }[] = [];
  for (const [key, app] of Object.entries(apps)) {
    exact.set(key, app);
    if (isGlob(key)) globs.push({ key, pattern: globToRegExp(key), app });
  }
  return { exact, globs };
}

export function routeAppId(table: RoutingTable, appId: string): RouteResult {
  const exact = table.exact.get(appId);
  if (exact !== undefined) return { ok: true, route: { appKey: appId, app: exact } };
  const matches = table.globs.filter((g) => g.pattern.test(appId));
  const only = matches[0];
  if (only !== undefined && matches.length === 1) return { ok: true, route: { appKey: only.key, app: only.app } };
  const candidates = matches.map((m) => m.key);
  return { ok: false, reason: matches.length === 0 ? "unknown app id" : "ambiguous app id", candidates };
}
