/**
 * The push gateway as a listening server: the runtime (engine + effects + journal) behind the
 * gateway app on the node:http adapter (CORS, body limit, JSON depth limit, request logs).
 *
 * Closing is graceful: stop accepting connections, let the requests under way finish (for at
 * most `drainMs`), then close the runtime (which waits for provider POSTs under way, writes a
 * snapshot and closes the journal).
 */
import type { Server } from "node:http";
import { listen } from "../http/listen.ts";
import { gatewayApp } from "./app.ts";
import { GatewayRuntime, type GatewayRuntimeOptions } from "./runtime.ts";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_DRAIN_MS = 5_000;

export interface GatewayServerOptions extends GatewayRuntimeOptions {
  readonly host: string;
  /** 0 picks a free port; `url` names the one chosen. */
  readonly port: number;
  readonly bodyLimitBytes?: number;
  readonly drainMs?: number;
}

export interface GatewayServer {
  readonly url: string;
  readonly runtime: GatewayRuntime;
  close(): Promise<void>;
}

/** Counts requests from arrival to the end of their response, so closing can wait for them. */
function inFlight(server: Server): { idle(deadlineMs: number): Promise<void> } {
  let count = 0;
  let wake: (() => void) | null = null;
  server.on("request", (_req, res) => {
    count++;
    res.once("close", () => {
      count--;
      if (count === 0) wake?.();
    });
  });
  return {
    idle: (deadlineMs) =>
      new Promise<void>((resolve) => {
        if (count === 0) return resolve();
        const timer = setTimeout(resolve, deadlineMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const log = options.log ?? (() => {});
  const runtime = GatewayRuntime.open(options);
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(gatewayApp(runtime), {
      host: options.host,
      port: options.port,
      bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      log,
    });
  } catch (e) {
    await runtime.close();
    throw e;
  }
  const { server } = listening;
  const requests = inFlight(server);
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await requests.idle(options.drainMs ?? DEFAULT_DRAIN_MS);
    server.closeAllConnections();
    await stopped;
    await runtime.close();
  };
  return {
    url: listening.url,
    runtime,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
