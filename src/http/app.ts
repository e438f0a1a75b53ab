/**
 * The shell's request pipeline, as a function from request to response that tests call without
 * a socket: route (from the generated table) → check parameters and body with the generated
 * validators → the operation's handler → response. Every Matrix error leaves here as JSON.
 * No business rule lives in this file.
 */
import { describeErrors, type Validator, type ValidationError } from "../validation.ts";
import { MatrixHttpError } from "./matrix-error.ts";
import type { RouteSpec } from "./router.ts";
import { Router } from "./router.ts";

export interface ShellRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  readonly requestId: string;
}

export interface ShellResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HandlerInput {
  readonly request: ShellRequest;
  /** Path and query parameters, checked and coerced by the generated validator. */
  readonly params: Record<string, unknown>;
  readonly body: unknown;
  readonly accessToken: string | null;
}

export type Handler = (input: HandlerInput) => Promise<ShellResponse> | ShellResponse;

export interface OperationValidators {
  readonly params?: Validator<unknown>;
  readonly body?: Validator<unknown>;
}

export interface AppSpec {
  readonly routes: readonly RouteSpec[];
  readonly validators: Readonly<Record<string, OperationValidators>>;
  readonly handlers: Readonly<Record<string, Handler>>;
  /** Answers an unknown path (404) or method (405) instead of the default M_UNRECOGNIZED text. */
  readonly unrecognized?: (status: 404 | 405, request: ShellRequest, allowed: readonly string[]) => ShellResponse;
}

export type App = (request: ShellRequest) => Promise<ShellResponse>;

/** `Authorization: Bearer` first, then the seed's `access_token` query parameter. */
export function accessTokenOf(request: ShellRequest): string | null {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(value);
    if (m !== null) return m[1] ?? null;
  }
  return request.query.get("access_token");
}

function paramError(errors: readonly ValidationError[]): MatrixHttpError {
  const missing = errors.find((e) => e.keyword === "required");
  return new MatrixHttpError(400, missing ? "M_MISSING_PARAM" : "M_INVALID_PARAM", `parameter ${describeErrors(errors)}`);
}

function bodyError(errors: readonly ValidationError[]): MatrixHttpError {
  const first = errors[0];
  return new MatrixHttpError(400, first?.keyword === "required" ? "M_MISSING_PARAM" : "M_BAD_JSON", `body: ${describeErrors(errors)}`);
}

function queryObject(query: URLSearchParams, pathParams: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of query) if (!(k in out)) out[k] = v;
  return { ...out, ...pathParams };
}

export function createApp(spec: AppSpec): App {
  const router = new Router(spec.routes, (r) => r.operationId in spec.handlers);
  return async (request) => {
    try {
      const match = router.match(request.method, request.path);
      if (match.kind !== "found" && spec.unrecognized !== undefined) {
        return match.kind === "not-found" ? spec.unrecognized(404, request, []) : spec.unrecognized(405, request, match.allowed);
      }
      if (match.kind === "not-found") throw new MatrixHttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
      if (match.kind === "wrong-method") throw new MatrixHttpError(405, "M_UNRECOGNIZED", "Unrecognized request method");
      const checks = spec.validators[match.operationId] ?? {};
      const params = queryObject(request.query, match.params);
      if (checks.params !== undefined) {
        const r = checks.params(params);
        if (!r.ok) throw paramError(r.errors);
      }
      let body = request.body;
      if (checks.body !== undefined) {
        body ??= {};
        const r = checks.body(body);
        if (!r.ok) throw bodyError(r.errors);
      }
      const handler = spec.handlers[match.operationId];
      if (handler === undefined) throw new MatrixHttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
      return await handler({ request, params, body, accessToken: accessTokenOf(request) });
    } catch (e) {
      if (e instanceof MatrixHttpError) return { status: e.status, body: e.body() };
      throw e;
    }
  };
}
