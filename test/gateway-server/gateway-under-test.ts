/**
 * Shared pieces for the gateway-server tests: start a gateway on 127.0.0.1 with port 0, talk to
 * it over real sockets (fetch, or node:http for requests fetch cannot make), a local receiver that
 * plays a webhook provider, and a poll-until helper. No business rule lives here.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "../../src/gateway/index.ts";
import type { DeliveryEntry } from "../../src/gateway-server/deliveries.ts";
import { type GatewayServer, type GatewayServerOptions, startGatewayServer } from "../../src/gateway-server/server.ts";
import { closeNow } from "../../src/http/listen.ts";

export { badgeBody, configFrom, eventBody } from "../gateway/harness.ts";

export const NOTIFY = "/_matrix/push/v1/notify";
export const APNS = "org.courier.sandbox.apns";
export const FCM = "org.courier.sandbox.fcm";

export function tempDir(prefix = "courier-gw-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function startGateway(config: GatewayConfig, options: Partial<GatewayServerOptions> = {}): Promise<GatewayServer> {
  return startGatewayServer({ host: "127.0.0.1", port: 0, config, cleanupIntervalMs: 3_600_000, ...options });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

export function postNotify(gateway: GatewayServer, body: unknown): Promise<Answer> {
  return call(gateway.url + NOTIFY, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** The pushkeys a notify answered as rejected; fails the test on anything but 200. */
export async function rejectedBy(gateway: GatewayServer, body: unknown): Promise<unknown> {
  const answer = await postNotify(gateway, body);
  if (answer.status !== 200) throw new Error(`notify answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return (answer.body as { rejected: unknown }).rejected;
}

export async function deliveries(gateway: GatewayServer, pushkey?: string): Promise<DeliveryEntry[]> {
  const query = pushkey === undefined ? "" : `?pushkey=${encodeURIComponent(pushkey)}`;
  const answer = await call(`${gateway.url}/_courier/deliveries${query}`);
  return (answer.body as { deliveries: DeliveryEntry[] }).deliveries;
}

/** A request as raw bytes, for what fetch will not send (chunked bodies, odd methods and paths). */
export function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; chunks?: readonly (string | Buffer)[] },
): Promise<{ status: number; headers: IncomingMessage["headers"]; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: options.method, path: options.path, headers: options.headers, timeout: 5_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString("utf8") }));
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
    req.on("error", reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the gateway has no retry timer and no provider POST outstanding. */
export function settled(gateway: GatewayServer, timeoutMs = 5_000): Promise<void> {
  return until(() => gateway.runtime.outstanding.timers === 0 && gateway.runtime.outstanding.posts === 0, "the gateway to settle", timeoutMs);
}

export interface ReceivedPost {
  readonly path: string;
  readonly body: { notification: { event_id?: string; devices: { pushkey: string }[] } };
}

/** How the receiver answers one POST: a status and body, or `hold` to never answer. */
export type Reply = { readonly status: number; readonly body?: unknown } | "hold";

/** A local HTTP server playing a webhook provider; `reply` decides each answer. */
export async function startReceiver(reply: (post: ReceivedPost, index: number) => Reply) {
  const received: ReceivedPost[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const post: ReceivedPost = { path: req.url ?? "", body: JSON.parse(Buffer.concat(parts).toString("utf8")) };
      received.push(post);
      const answer = reply(post, received.length - 1);
      if (answer === "hold") return void held.push(res);
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    pushkeys: () => received.map((p) => p.body.notification.devices[0]?.pushkey),
    close: () => {
      for (const res of held) res.destroy();
      return closeNow(server);
    },
  };
}
