/**
 * The gateway's answers in Matrix error form (`{errcode, error}`), so every errcode text the
 * gateway can produce lives here, also those the HTTP shell sends without calling the engine
 * (unparseable bodies, unknown endpoints and methods). Sygnal answers these in plain text; the
 * spec asks for Matrix errors (research/push.md §3.1).
 */
import { describeErrors, type ValidationError } from "../validation.ts";

export interface MatrixError {
  readonly errcode: string;
  readonly error: string;
}

export interface NotifyAnswer {
  /** GW-5, GW-14, GW-6: pushkeys the homeserver must stop sending to; may be empty. */
  readonly rejected: readonly string[];
}

export type NotifyOutcome =
  | { readonly status: 200; readonly body: NotifyAnswer }
  | { readonly status: 400; readonly body: MatrixError };

export type UnrecognizedOutcome = { readonly status: 404 | 405; readonly body: MatrixError };

function badRequest(errcode: string, error: string): NotifyOutcome {
  return { status: 400, body: { errcode, error } };
}

/** The body is not JSON at all: the shell's parse failed. */
export function notJson(detail: string): NotifyOutcome {
  return badRequest("M_NOT_JSON", `request body is not valid JSON: ${detail}`);
}

/**
 * A body that fails the schema. A missing required field is `M_MISSING_PARAM`; anything else
 * (wrong type, bad enum value, not an object) is `M_BAD_JSON`. The message names the field.
 */
export function invalidNotifyBody(errors: readonly ValidationError[]): NotifyOutcome {
  const first = errors[0];
  const errcode = first?.keyword === "required" ? "M_MISSING_PARAM" : "M_BAD_JSON";
  return badRequest(errcode, describeErrors(errors));
}

/** GW-15, GW-16: unknown endpoint → 404, known endpoint with an unsupported method → 405. */
export function unrecognized(status: 404 | 405, method: string, path: string): UnrecognizedOutcome {
  const error =
    status === 404 ? `unrecognized request: ${method} ${path}` : `method ${method} is not allowed on ${path}`;
  return { status, body: { errcode: "M_UNRECOGNIZED", error } };
}
