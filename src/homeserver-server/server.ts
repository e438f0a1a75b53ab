/**
 * A homeserver process: the runtime (engine + journal + effects) behind the HTTP shell, serving
 * every client-server and federation operation of api/ that Courier implements.
 */
import { operations, validators } from "../../models/index.ts";
import type { PolicyOverrides } from "../engine/policies.ts";
import { type App, createApp, type Handler, type OperationValidators } from "../http/app.ts";
import { jsonLog } from "../http/json-log.ts";
import { type ListenOptions, listen, type Listening } from "../http/listen.ts";
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
  /** The journal could not be written (see HomeserverRuntimeOptions.onFatal). */
  readonly onFatal?: (error: Error) => void;
}

export interface RunningHomeserver {
  readonly url: string;
  readonly runtime: HomeserverRuntime;
  close(): Promise<void>;
}

/**
 * The homeserver's request pipeline over a runtime: every client-server and federation operation
 * Courier implements. No answer leaves before the commands applied ahead of it are in the
 * journal (the runtime's group commit), since an answer may show state that other requests of
 * the same turn changed.
 */
export function homeserverApp(runtime: HomeserverRuntime, options: { readonly registration: boolean; readonly peers: ReadonlyMap<string, string> }): App {
  const handlers: Record<string, Handler> = {
    ...clientHandlers(runtime, { registration: options.registration }),
    ...federationHandlers(runtime, options.peers),
  };
  // In memory there is nothing to wait for.
  if (runtime.journaled) {
    for (const [operationId, handler] of Object.entries(handlers)) {
      handlers[operationId] = async (input) => {
        try {
          return await handler(input);
        } finally {
          await runtime.durable();
        }
      };
    }
  }
  return createApp({
    routes: operations.filter((op) => op.operationId !== "notify" && op.operationId !== "notify2015"),
    validators: validators as unknown as Record<string, OperationValidators>,
    handlers,
  });
}

/** Serve `app` over `runtime` on a socket; closing stops both (the runtime also on a failed listen). */
export async function serveHomeserver(runtime: HomeserverRuntime, app: App, options: ListenOptions): Promise<RunningHomeserver> {
  let listening: Listening;
  try {
    listening = await listen(app, options);
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

export function startHomeserver(options: HomeserverServerOptions): Promise<RunningHomeserver> {
  const log = options.log ?? jsonLog(`homeserver ${options.serverName}`);
  const runtime = HomeserverRuntime.open({
    serverName: options.serverName,
    dataDir: options.dataDir,
    peers: options.peers,
    log,
    ...(options.policies === undefined ? {} : { policies: options.policies }),
    ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }),
  });
  const app = homeserverApp(runtime, { registration: options.registration ?? true, peers: options.peers });
  return serveHomeserver(runtime, app, { host: options.host, port: options.port, bodyLimitBytes: options.bodyLimitBytes ?? 12 * 1024 * 1024, log });
}
