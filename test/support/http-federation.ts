/**
 * Raw federation requests for the HTTP suites: a `PUT /_matrix/federation/v1/send/{txnId}` signed
 * (or not) with any key under any origin, so tests can play a peer, a stranger or a forger. The
 * answer is checked against the generated validator for `sendTransaction`.
 */
import type { Json } from "../../src/canonical-json.ts";
import { type SigningKey, xMatrixHeader } from "../../src/http/signing.ts";
import { checkAnswer, operationPath } from "./http-client.ts";

export interface Transaction {
  readonly origin: string;
  readonly origin_server_ts: number;
  readonly pdus: readonly Json[];
  readonly edus?: readonly Json[];
}

export interface SendOptions {
  /** Signs as `origin` with this key; without it the request carries no Authorization header. */
  readonly key?: SigningKey;
  readonly origin: string;
  readonly destination: string;
  readonly txnId: string;
  readonly body: Transaction;
}

/** An `m.direct_to_device` EDU (FED-4) carrying `messages` from `sender`. */
export function directToDeviceEdu(sender: string, type: string, messageId: string, messages: Readonly<Record<string, Readonly<Record<string, Json>>>>): Json {
  return { edu_type: "m.direct_to_device", content: { sender, type, message_id: messageId, messages } } as Json;
}

export async function sendTransaction(baseUrl: string, options: SendOptions): Promise<{ status: number; body: Record<string, unknown> }> {
  const { path } = operationPath("sendTransaction", { txnId: options.txnId });
  const content = options.body as unknown as Json;
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (options.key !== undefined) {
    headers.Authorization = xMatrixHeader({ method: "PUT", uri: path, origin: options.origin, destination: options.destination, content }, options.key);
  }
  const res = await fetch(baseUrl + path, { method: "PUT", headers, body: JSON.stringify(content), signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as Record<string, unknown>;
  checkAnswer("sendTransaction", res.status, body);
  return { status: res.status, body };
}
