/**
 * Deliberately broken servers, for the checker's self-validation only. Each is the real
 * homeserver (the HTTP shell, the runtime, the engine, put together by `homeserverApp`)
 * with one bug put in where every request passes: the runtime's `run`, which the handlers and
 * the runtime's own effect results (push answers, timers) all go through. Each bug is one that real servers
 * have or had (research/to_device.md, research/push.md). The gateways: Courier's with its
 * dedupe window at zero, and a tiny hand-written one that answers like Sygnal.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HomeserverCommand } from "../../src/engine/homeserver.ts";
import type { PolicyOverrides } from "../../src/engine/policies.ts";
import { pushTimerId } from "../../src/engine/push/pusher-queue.ts";
import type { PusherId } from "../../src/engine/push/pushers.ts";
import type { FullSyncResult } from "../../src/engine/sync.ts";
import { sandboxConfig } from "../../src/gateway/index.ts";
import { type GatewayServer, startGatewayServer } from "../../src/gateway-server/server.ts";
import { HomeserverRuntime } from "../../src/homeserver-server/runtime.ts";
import { homeserverApp, type RunningHomeserver, serveHomeserver } from "../../src/homeserver-server/server.ts";
import type { ServerName } from "../../src/ids.ts";
import { closeNow } from "../../src/http/listen.ts";

export type Bug =
  | "no-txn-dedupe"
  | "ack-before-next-sync"
  | "reorder-inbox"
  | "drop-past-limit"
  | "ignore-rejected"
  | "retry-without-backoff"
  | "no-message-id-dedupe";

type Run = (command: HomeserverCommand) => unknown;

let unique = 0;

function isSyncResult(o: unknown): o is FullSyncResult {
  return typeof o === "object" && o !== null && (o as { ok?: unknown }).ok === true && "toDevice" in o;
}

/** The transaction body with a fresh message_id on every EDU: the receiver cannot recognise a repeat. */
function freshMessageIds(body: unknown): unknown {
  const edus = (body as { edus?: unknown[] } | null)?.edus;
  if (!Array.isArray(edus)) return body;
  return {
    ...(body as object),
    edus: edus.map((edu) => {
      const content = (edu as { content?: Record<string, unknown> }).content;
      return content === undefined ? edu : { ...(edu as object), content: { ...content, message_id: `${String(content.message_id)}#${unique++}` } };
    }),
  };
}

/** `run` with the bug in it; `original` is the runtime's own. */
function broken(bug: Bug, rt: HomeserverRuntime, original: Run): Run {
  return (command) => {
    switch (bug) {
      case "no-txn-dedupe":
        // TD-39 broken: every request looks new, so a retransmission delivers again.
        return command.type === "sendToDevice" ? original({ ...command, txnId: `${command.txnId}#${unique++}` as typeof command.txnId }) : original(command);
      case "no-message-id-dedupe":
        // FED-16, FED-18 broken (as Dendrite): a transaction seen before is processed again.
        return command.type === "receiveTransaction"
          ? original({ ...command, txnId: `${command.txnId}#${unique++}` as typeof command.txnId, body: freshMessageIds(command.body) })
          : original(command);
      case "ignore-rejected":
        // PUSH-29, PUSH-30 broken: the gateway's `rejected` is not read.
        return command.type === "pushResult" && command.result.ok ? original({ ...command, result: { ...command.result, rejected: [] } }) : original(command);
      case "retry-without-backoff": {
        // PUSH-60 broken: a failed push is retried at once.
        const out = original(command);
        const failed = command.type === "pushResult" && (!command.result.ok || command.result.status >= 300);
        if (failed) original({ type: "timer", id: pushTimerId(command.pusherId as PusherId) });
        return out;
      }
      default:
        return syncBug(bug, rt, command, original);
    }
  };
}

function syncBug(bug: Bug, rt: HomeserverRuntime, command: HomeserverCommand, original: Run): unknown {
  const out = original(command);
  if (command.type !== "sync" || !isSyncResult(out)) return out;
  switch (bug) {
    case "ack-before-next-sync":
      // TD-21 broken: what a sync returns is deleted at once, so a lost response loses it.
      original({ type: "sync", token: command.token, since: out.nextBatch });
      return out;
    case "reorder-inbox":
      // TD-20 broken: newest first.
      return { ...out, toDevice: [...out.toDevice].reverse() };
    case "drop-past-limit": {
      // TD-54 broken (worse than synapse#11457): a full response's next_batch is the stream head.
      if (out.toDevice.length < rt.engine.policies.syncLimit) return out;
      const rooms = out.nextBatch.split("_")[1] ?? "0";
      return { ...out, nextBatch: `${rt.engine.state.todevice.position}_${rooms}` };
    }
    default:
      return out;
  }
}

export interface HomeserverSpec {
  readonly serverName?: string;
  readonly port?: number;
  readonly peers?: ReadonlyMap<string, string>;
  readonly policies?: PolicyOverrides;
  readonly bug?: Bug;
}

/**
 * A homeserver on 127.0.0.1, in memory, with `bug` in it when given: the runtime is opened, its
 * `run` replaced, and only then are the handlers made over it and served by the real shell, as
 * `startHomeserver` does.
 */
export async function startServer(spec: HomeserverSpec = {}): Promise<RunningHomeserver> {
  const peers = spec.peers ?? new Map<string, string>();
  const runtime = HomeserverRuntime.open({
    serverName: (spec.serverName ?? "localhost") as ServerName,
    dataDir: null,
    peers,
    log: () => {},
    ...(spec.policies === undefined ? {} : { policies: spec.policies }),
  });
  if (spec.bug !== undefined) {
    const original = runtime.run.bind(runtime) as Run;
    runtime.run = broken(spec.bug, runtime, original) as typeof runtime.run;
  }
  return serveHomeserver(runtime, homeserverApp(runtime, { registration: true, peers }), { host: "127.0.0.1", port: spec.port ?? 0, bodyLimitBytes: 12 * 1024 * 1024, log: () => {} });
}

/** Courier's gateway (sandbox apps), or with `noDedupe` its dedupe window at zero (GW-17 broken, as Sygnal). */
export function startGateway(noDedupe = false): Promise<GatewayServer> {
  const config = noDedupe ? { ...sandboxConfig, dedupeWindowMs: 0 } : sandboxConfig;
  return startGatewayServer({ host: "127.0.0.1", port: 0, config, cleanupIntervalMs: 3_600_000 });
}

/**
 * A gateway with the faults research/push.md §3.1 and sygnal#104 describe: plain-text 400s, HTML
 * 404 and 405, and a whole request failed with 502 when one of its devices cannot be served
 * (here: a device of an app id it does not know).
 */
export async function startPlainTextGateway(appId: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      if (req.url !== "/_matrix/push/v1/notify") return void res.writeHead(404, { "Content-Type": "text/html" }).end("<html>404</html>");
      if (req.method !== "POST") return void res.writeHead(405, { "Content-Type": "text/html" }).end("<html>405</html>");
      let body: { notification?: { devices?: { app_id?: string; pushkey?: string }[] } };
      try {
        body = JSON.parse(Buffer.concat(parts).toString("utf8"));
      } catch {
        return void res.writeHead(400).end("Expected JSON request body");
      }
      const devices = body.notification?.devices;
      if (!Array.isArray(devices) || devices.length === 0) return void res.writeHead(400).end("Expected list in 'devices' key");
      if (devices.some((d) => typeof d.pushkey !== "string" || typeof d.app_id !== "string")) return void res.writeHead(400).end("Device with missing or non-string app_id|pushkey");
      if (devices.some((d) => d.app_id !== appId)) return void res.writeHead(502).end("");
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeNow(server),
  };
}
