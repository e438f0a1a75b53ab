/**
 * A homeserver process: the runtime (engine + journal + effects) behind the HTTP shell, serving
 * every client-server and federation operation of api/ that Courier implements.
 */
import { operations, validators } from "../../models/index.ts";
import type { PolicyOverrides } from "../engine/policies.ts";
import { createApp, type OperationValidators } from "../http/app.ts";
import { listen, type Listening } from "../http/listen.ts";
import type { ServerName } from "../ids.ts";
import { clientHandlers } from "./client-handlers.ts";
import { federationHandlers } from "./federation-handlers.ts";
import { HomeserverRuntime } from "./runtime.ts";

export interface HomeserverServerOptions {
  readonly serverName: ServerName;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string | null;
  readonly peers: ReadonlyMap<string, string>;
  readonly policies?: PolicyOverrides;
  readonly registration?: boolean;
  readonly bodyLimitBytes?: number;
  readonly log?: (line: Record<string, unknown>) => void;
}

export interface RunningHomeserver {
  readonly url: string;
  readonly runtime: HomeserverRuntime;
  close(): Promise<void>;
}

/** A JSON log line on stderr, one per event. */
export function jsonLog(component: string): (line: Record<string, unknown>) => void {
  return (line) => process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), component, ...line })}\n`);
}

export async function startHomeserver(options: HomeserverServerOptions): Promise<RunningHomeserver> {
  const log = options.log ?? jsonLog(`homeserver ${options.serverName}`);
  const runtime = HomeserverRuntime.open({
    serverName: options.serverName,
    dataDir: options.dataDir,
    peers: options.peers,
    log,
    ...(options.policies === undefined ? {} : { policies: options.policies }),
  });
  const handlers = {
    ...clientHandlers(runtime, { registration: options.registration ?? true }),
    ...federationHandlers(runtime, options.peers),
  };
  const app = createApp({
    routes: operations.filter((op) => op.operationId !== "notify" && op.operationId !== "notify2015"),
    validators: validators as unknown as Record<string, OperationValidators>,
    handlers,
  });
  let listening: Listening;
  try {
    listening = await listen(app, { host: options.host, port: options.port, bodyLimitBytes: options.bodyLimitBytes ?? 12 * 1024 * 1024, log });
  } catch (e) {
    runtime.close();
    throw e;
  }
  return {
    url: listening.url,
    runtime,
    close: async () => {
      runtime.waiters.wakeAll();
      await listening.close();
      runtime.close();
    },
  };
}
