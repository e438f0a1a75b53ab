/**
 * Requests as raw bytes over node:http, for what fetch will not send: chunked bodies without a
 * length, odd methods and request targets, arbitrary headers. Resolves with the status, headers
 * and body text, or rejects if no answer comes within the timeout (a hang is a failure).
 */
import { type IncomingHttpHeaders, request } from "node:http";

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Written in order; without a Content-Length header node sends them chunked. */
  readonly chunks?: readonly (string | Buffer)[];
  readonly timeoutMs?: number;
}

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const timeoutMs = r.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: r.method, path: r.path, headers: r.headers, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${r.method} ${r.path.slice(0, 80)} within ${timeoutMs} ms`)));
    req.on("error", reject);
    for (const chunk of r.chunks ?? []) req.write(chunk);
    req.end();
  });
}
