/**
 * A federation tap: an HTTP proxy that sits on the route from the first homeserver to the
 * second (the first is configured to reach the second through it) and forwards every request
 * unchanged, keeping a copy of each transaction (`PUT /_matrix/federation/v1/send/{txnId}`) and
 * its answer.
 *
 * It lets the checker play the network's part in at-least-once delivery: `replay` sends a
 * transaction that was already answered once more, byte for byte, with its original X-Matrix
 * signature (which covers method, path, origin, destination and body, and nothing that changes).
 * A receiver must answer it and deliver nothing again (FED-16, FED-18).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Answer } from "../driver.ts";
import { closeNow } from "../../http/listen.ts";

export interface CapturedTransaction {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

export class FederationTap {
  readonly captured: CapturedTransaction[] = [];
  private server: Server | null = null;
  url = "";

  constructor(private readonly upstream: string) {}

  async listen(host = "127.0.0.1", port = 0): Promise<string> {
    const server = createServer((req, res) => {
      void this.forward(req).then(
        ({ status, text }) => {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(text);
        },
        () => {
          res.writeHead(502, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ errcode: "M_UNKNOWN", error: "the tap could not reach the upstream server" }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.url = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; text: string }> {
    const body = await readAll(req);
    const path = req.url ?? "/";
    const headers = forwardable(req.headers);
    const method = req.method ?? "GET";
    const response = await fetch(this.upstream + path, { method, headers, ...(body === "" ? {} : { body }), signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    if (method === "PUT" && path.startsWith("/_matrix/federation/v1/send/")) {
      this.captured.push({ path, headers, body, status: response.status });
    }
    return { status: response.status, text };
  }

  /** Sends captured transaction `index` (counting back from the latest when negative) again. */
  async replay(index = -1): Promise<Answer | null> {
    const t = this.captured.at(index);
    if (t === undefined) return null;
    const response = await fetch(this.upstream + t.path, { method: "PUT", headers: t.headers, body: t.body, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text: an answer that is not JSON is itself worth showing.
    }
    return { status: response.status, body };
  }

  close(): Promise<void> {
    return this.server === null ? Promise.resolve() : closeNow(this.server);
  }
}
