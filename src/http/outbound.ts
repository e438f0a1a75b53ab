/**
 * Outbound requests of the servers (federation transactions, push notifications): node:http and
 * node:https over keep-alive agents, one JSON body out, the answer's status and text back, under
 * a deadline for the whole exchange. Redirects are not followed: a push gateway or a peer that
 * answers 3xx has not accepted anything, and the caller treats the answer as a failure.
 *
 * Why not `fetch`: under load it cost about a quarter of a millisecond of CPU per request in the
 * homeserver, more than the engine's own work for a notification.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface OutboundRequest {
  readonly method: "POST" | "PUT";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as it is, with Content-Type application/json. */
  readonly json: string;
  /** The whole exchange, connecting to the last byte of the answer. */
  readonly timeoutMs: number;
  /** Past this many bytes the answer's body is not read (default 1 MiB). */
  readonly maxAnswerBytes?: number;
}

export interface OutboundAnswer {
  readonly status: number;
  /** The answer's body, or null when it was longer than `maxAnswerBytes`. */
  readonly text: string | null;
}

export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** Resolves with the answer, or rejects with an Error saying why there is none. */
export function sendJson(r: OutboundRequest): Promise<OutboundAnswer> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      reject(new Error(`not a URL: ${r.url}`));
      return;
    }
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      reject(new Error(`unsupported protocol ${url.protocol}`));
      return;
    }
    const body = Buffer.from(r.json);
    const options = {
      method: r.method,
      agent: secure ? httpsAgent : httpAgent,
      headers: { ...r.headers, "Content-Type": "application/json", "Content-Length": String(body.length) },
    };
    const req = secure ? httpsRequest(url, options) : httpRequest(url, options);
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)), r.timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    req.on("error", fail);
    req.on("response", (res: IncomingMessage) => {
      const limit = r.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) {
          chunks.push(chunk);
          return;
        }
        // Too long to keep: answer with the status alone and drop the connection.
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: null });
        res.destroy();
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(new Error("the answer was cut off"));
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.end(body);
  });
}
