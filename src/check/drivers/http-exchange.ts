/**
 * One HTTP exchange as the checker makes it: fetch with a deadline, read the body as JSON when
 * it is JSON (as text otherwise), record the exchange in the run's transcript, and check the
 * answer against the generated response validator for its operation and status. A mismatch is a
 * finding of the run, not an exception: the scenario goes on and the runner reports it.
 */
import { validators } from "../../../models/index.ts";
import { describeErrors, type Validator } from "../../validation.ts";
import type { Answer } from "../driver.ts";
import type { Transcript } from "../transcript.ts";

type ResponseValidators = Readonly<Record<string, { readonly response?: Readonly<Record<string, Validator<unknown>>> }>>;

const byOperation = validators as unknown as ResponseValidators;

export interface ExchangeRequest {
  /** The operationId in api/, for response validation; null for requests outside the API. */
  readonly operationId: string | null;
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly token?: string;
  /** A JSON body, or raw text sent as it is (to check how a server answers bad JSON). */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly timeoutMs?: number;
}

export interface ExchangeContext {
  readonly baseUrl: string;
  /** Where exchanges are recorded; swapped by the runner for each scenario run. */
  transcript: Transcript;
  readonly now: () => number;
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function target(request: ExchangeRequest): string {
  const query = new URLSearchParams(request.query ?? {}).toString();
  return query === "" ? request.path : `${request.path}?${query}`;
}

/** Checks an answer against the API description; null when it matches or nothing describes it. */
export function schemaProblem(operationId: string, answer: Answer): string | null {
  const check = byOperation[operationId]?.response?.[String(answer.status)];
  if (check === undefined) return null;
  const result = check(answer.body);
  return result.ok ? null : describeErrors(result.errors);
}

export async function exchange(context: ExchangeContext, request: ExchangeRequest): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
  let body: string | undefined;
  if (request.rawBody !== undefined) body = request.rawBody;
  else if (request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const path = target(request);
  const at = context.now();
  const started = performance.now();
  let answer: Answer;
  try {
    const response = await fetch(context.baseUrl + path, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
    answer = { status: response.status, body: parseBody(await response.text()) };
  } catch (e) {
    // No HTTP answer at all: status 0, so scenarios see it as a failure they can report.
    answer = { status: 0, body: `no answer: ${(e as Error).message}` };
  }
  const ms = Math.round(performance.now() - started);
  context.transcript.record({
    method: request.method,
    path,
    ...(request.rawBody !== undefined ? { request: request.rawBody } : request.body === undefined ? {} : { request: request.body }),
    status: answer.status,
    response: answer.body,
    at,
    ms,
  });
  if (request.operationId !== null) {
    const problem = schemaProblem(request.operationId, answer);
    if (problem !== null) context.transcript.finding({ operationId: request.operationId, status: answer.status, problem });
  }
  return answer;
}
