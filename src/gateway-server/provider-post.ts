/**
 * Executes a `provider.post` effect: the webhook provider's POST, with fetch. Whatever happens
 * comes back as a `ProviderResult` for the engine to settle — a status with the JSON body, or an
 * error (connection refused, timeout, ...) — and never as an exception.
 *
 * The answer is read defensively, because it ends up in a journaled command: a body larger than
 * `MAX_ANSWER_BYTES`, not JSON, or nested deeper than the JSON depth limit is reported without
 * its body (the engine reads only `rejected` from it).
 */
import type { ProviderResult } from "../gateway/index.ts";
import { jsonDepth, MAX_JSON_DEPTH } from "../http/json-body.ts";

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The response text, or null when it is longer than `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function jsonOrUndefined(text: string | null): unknown {
  if (text === null || text.length === 0 || jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** POSTs `body` as JSON to `url`; the timeout covers the whole exchange, answer body included. */
export async function postToProvider(url: string, body: unknown, timeoutMs: number): Promise<ProviderResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const answer = jsonOrUndefined(await boundedText(response, MAX_ANSWER_BYTES));
    return answer === undefined ? { status: response.status } : { status: response.status, body: answer };
  } catch (e) {
    return { error: describe(e) };
  }
}
