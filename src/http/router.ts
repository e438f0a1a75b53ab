/**
 * Routes come from the generated route table (`models/index.ts` → `operations`), so the paths
 * served are exactly the paths in `api/`. Client-server paths are also served under the legacy
 * `/_matrix/client/r0` prefix (the seed's `%CLIENT_MAJOR_VERSION%`). A path that exists with
 * another method answers 405; an unknown path 404 (both M_UNRECOGNIZED).
 */

export interface RouteSpec {
  readonly operationId: string;
  readonly method: string;
  readonly basePath: string;
  readonly path: string;
}

export type RouteMatch =
  | { kind: "found"; operationId: string; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

interface Compiled {
  readonly operationId: string;
  /** How many "/"-separated segments the paths it matches have (a parameter never holds "/"). */
  readonly segments: number;
  readonly method: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly literals: number;
}

const LEGACY_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  "/_matrix/client/v3": ["/_matrix/client/r0"],
};

function compile(operationId: string, method: string, template: string): Compiled {
  const names: string[] = [];
  let literals = 0;
  const pattern = template
    .split("/")
    .map((segment) => {
      const m = /^\{(.+)\}$/.exec(segment);
      if (m !== null) {
        names.push(m[1] ?? "");
        return "([^/]+)";
      }
      literals++;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { operationId, method, segments: segmentCount(template), regex: new RegExp(`^${pattern}$`), names, literals };
}

function segmentCount(path: string): number {
  let n = 0;
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) n++;
  return n;
}

export class Router {
  /** Routes by segment count: only those can match a path, so only those are tried. */
  private readonly bySegments = new Map<number, Compiled[]>();

  constructor(specs: readonly RouteSpec[], served: (spec: RouteSpec) => boolean = () => true) {
    const routes: Compiled[] = [];
    for (const spec of specs.filter(served)) {
      for (const base of [spec.basePath, ...(LEGACY_PREFIXES[spec.basePath] ?? [])]) {
        routes.push(compile(spec.operationId, spec.method, base + spec.path));
      }
    }
    // Literal segments win over parameters (`/pushrules/global/{kind}/{ruleId}/enabled`
    // before `/pushrules/global/{kind}/{ruleId}`).
    for (const route of routes.sort((a, b) => b.literals - a.literals)) {
      const bucket = this.bySegments.get(route.segments) ?? [];
      bucket.push(route);
      this.bySegments.set(route.segments, bucket);
    }
  }

  match(method: string, pathname: string): RouteMatch {
    const allowed: string[] = [];
    for (const r of this.bySegments.get(segmentCount(pathname)) ?? []) {
      const m = r.regex.exec(pathname);
      if (m === null) continue;
      if (r.method !== method && !(method === "HEAD" && r.method === "GET")) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      let decoded = true;
      r.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1] ?? "");
        } catch {
          decoded = false;
        }
      });
      if (!decoded) return { kind: "not-found" };
      return { kind: "found", operationId: r.operationId, params };
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
  }
}
