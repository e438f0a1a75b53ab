/**
 * Executes a `provider.post` effect: the webhook provider's POST (src/http/outbound.ts). Whatever happens
 * comes back as a `ProviderResult` for the engine to settle — a status with the JSON body, or an
 * error (connection refused, timeout, ...) — and never as an exception.
 *
 * The answer is read defensively, because it ends up in a journaled command: a body larger than
 * `MAX_ANSWER_BYTES`, not JSON, or nested deeper than the JSON depth limit is reported without
 * its body (the engine reads only `rejected` from it).
 */
import type { ProviderResult } from "../gateway/index.ts";
import { jsonDepth, MAX_JSON_DEPTH } from "../http/json-body.ts";
import { sendJson } from "../http/outbound.ts";

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;
export const MAX_ANSWER_BYTES = 64 * 1024;

function jsonOrUndefined(text: string | null): unknown {
  if (text === null || text.length === 0 || jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** POSTs `body` as JSON to `url`; the timeout covers the whole exchange, answer body included. */
export async function postToProvider(url: string, body: unknown, timeoutMs: number): Promise<ProviderResult> {
  try {
    const response = await sendJson({ method: "POST", url, json: JSON.stringify(body), timeoutMs, maxAnswerBytes: MAX_ANSWER_BYTES });
    const answer = jsonOrUndefined(response.text);
    return answer === undefined ? { status: response.status } : { status: response.status, body: answer };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
