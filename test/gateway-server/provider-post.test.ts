// The webhook provider's POST, as the gateway journals its result: a JSON answer with its
// status, an answer over MAX_ANSWER_BYTES or not JSON as its status alone, and no answer at all
// as an error with the reason. Assumes a scripted node:http server on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MAX_ANSWER_BYTES, postToProvider } from "../../src/gateway-server/provider-post.ts";
import { closeNow } from "../../src/http/listen.ts";

let server: Server;
let base: string;
const bodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      if (req.url === "/json") res.writeHead(200).end('{"rejected":["k"]}');
      else if (req.url === "/huge") res.writeHead(200).end(`{"rejected":[],"pad":"${"x".repeat(MAX_ANSWER_BYTES)}"}`);
      else if (req.url === "/text") res.writeHead(502).end("bad gateway");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => closeNow(server));

describe("postToProvider", () => {
  test("posts the body as JSON and returns the JSON answer with its status", async () => {
    expect(await postToProvider(`${base}/json`, { notification: { devices: [] } }, 5_000)).toEqual({ status: 200, body: { rejected: ["k"] } });
    expect(bodies.at(-1)).toEqual({ notification: { devices: [] } });
  });

  test("an answer over the limit, or not JSON, is its status alone", async () => {
    expect(await postToProvider(`${base}/huge`, {}, 5_000)).toEqual({ status: 200 });
    expect(await postToProvider(`${base}/text`, {}, 5_000)).toEqual({ status: 502 });
  });

  test("no answer is an error with the reason", async () => {
    expect(await postToProvider(`${base}/silent`, {}, 100)).toEqual({ error: "no answer within 100 ms" });
    const refused = await postToProvider("http://127.0.0.1:1/x", {}, 5_000);
    expect(refused).toEqual({ error: expect.stringContaining("ECONNREFUSED") });
  });
});
