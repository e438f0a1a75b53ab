/**
 * Closed-loop HTTP load with autocannon 9 (programmatic): N keep-alive connections, each sending
 * its next request as soon as the previous answer arrived. autocannon writes pre-encoded requests
 * on raw sockets and parses answers with a small HTTP/1.1 parser, so on two shared cores it
 * leaves more CPU to the server than a `node:http` Agent loop would; and the baseline and Courier
 * get the very same request stream from it, so the client's own cost cancels out of the ratio.
 * autocannon ships no types; the slice used here is declared below.
 */
import { createRequire } from "node:module";

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly total: number;
}

interface AutocannonResult {
  readonly requests: Histogram;
  readonly latency: Histogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly "2xx": number;
}

interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly requests?: ReadonlyArray<{ setupRequest: (request: AutocannonRequest) => AutocannonRequest }>;
}

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly method: "GET" | "PUT" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The path of each request, called once per request (e.g. a fresh txnId each time). */
  readonly path?: () => string;
}

export interface LoadResult {
  /** 2xx answers per second of the run. */
  readonly perSecond: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly durationS: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const nextPath = spec.path;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    method: spec.method,
    headers: { ...spec.headers },
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(nextPath === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request) => {
                request.path = nextPath();
                return request;
              },
            },
          ],
        }),
  });
  const ok = result["2xx"];
  return {
    perSecond: ok / result.duration,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    durationS: result.duration,
  };
}
