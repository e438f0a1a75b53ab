/**
 * The node:http adapter: sockets in, `App` calls out. CORS as the client-server spec asks
 * (every response carries the headers; OPTIONS preflights answer at once), body limits, one
 * structured log line per request with its id, and a graceful close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { App, ShellResponse } from "./app.ts";
import { parseJsonBody, readBody } from "./json-body.ts";
import { MatrixHttpError } from "./matrix-error.ts";

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "X-Requested-With, Content-Type, Authorization",
};

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly log: (line: Record<string, unknown>) => void;
}

export interface Listening {
  readonly server: Server;
  readonly url: string;
  close(graceMs?: number): Promise<void>;
}

let requestCounter = 0;

/** The headers every answer carries, as the flat name, value, name, value… list writeHead takes. */
const COMMON_HEADERS: readonly string[] = [...Object.entries(CORS_HEADERS).flat(), "Content-Type", "application/json"];

function send(res: ServerResponse, response: ShellResponse): void {
  const text = JSON.stringify(response.body ?? {});
  const headers = [...COMMON_HEADERS, "Content-Length", String(Buffer.byteLength(text))];
  // A handler's own header replaces a common one of the same name.
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    const at = headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name.toLowerCase());
    if (at === -1) headers.push(name, value);
    else headers[at + 1] = value;
  }
  res.writeHead(response.status, headers);
  res.end(text);
}

/**
 * The request target as a URL. An origin-form target gets a fixed origin prefixed rather than
 * resolved against it, so `//x` stays a path (resolving it would read `x` as a host, and `//`
 * would not parse at all); an absolute-form target is read as it is; anything unreadable is `/`.
 */
function requestTarget(raw: string): URL {
  try {
    return raw.startsWith("/") ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    return new URL("http://localhost/");
  }
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse, options: ListenOptions): Promise<number> {
  const url = requestTarget(req.url ?? "/");
  const requestId = `${process.pid.toString(36)}-${(++requestCounter).toString(36)}`;
  if (req.method === "OPTIONS") {
    send(res, { status: 200, body: {} });
    return 200;
  }
  let body: unknown;
  try {
    const raw = await readBody(req, options.bodyLimitBytes);
    body = raw.length > 0 ? parseJsonBody(raw) : undefined;
  } catch (e) {
    if (!(e instanceof MatrixHttpError)) throw e;
    send(res, { status: e.status, body: e.body() });
    return e.status;
  }
  const response = await app({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body, requestId });
  if (!res.destroyed) send(res, response);
  return response.status;
}

/** Stop listening and cut every connection at once: for tools and test doubles, which need no grace. */
export function closeNow(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function listen(app: App, options: ListenOptions): Promise<Listening> {
  const server = createServer((req, res) => {
    const started = performance.now();
    handle(app, req, res, options)
      .then((status) => options.log({ msg: "request", method: req.method, path: req.url?.split("?")[0], status, ms: +(performance.now() - started).toFixed(2) }))
      .catch((e: unknown) => {
        options.log({ msg: "internal error", level: "error", method: req.method, path: req.url?.split("?")[0], error: String((e as Error)?.stack ?? e) });
        if (!res.headersSent) send(res, { status: 500, body: { errcode: "M_UNKNOWN", error: "Internal server error" } });
      });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${options.host}:${address.port}`,
        // Graceful: stop accepting, let requests under way finish (up to `graceMs`), then cut.
        close: (graceMs = 5_000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
