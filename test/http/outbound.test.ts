// The servers' outbound requests (federation transactions, push notifications): the JSON body and
// headers arrive as sent, any status comes back with its text (3xx not followed; an answer over
// the size limit without it), requests reuse
// a kept-alive connection, and a silent or cut-off answer, or a URL that is not http(s), rejects
// with a reason. Assumes a scripted node:http server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeNow } from "../../src/http/listen.ts";
import { sendJson } from "../../src/http/outbound.ts";

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly socket: unknown;
}

const seen: Seen[] = [];
let server: Server;
let base: string;

const routes: Record<string, (res: ServerResponse) => void> = {
  "/ok": (res) => res.writeHead(200, { "Content-Type": "application/json" }).end('{"rejected":["k1"]}'),
  "/teapot": (res) => res.writeHead(418).end("short and stout"),
  "/moved": (res) => res.writeHead(307, { Location: "/ok" }).end(),
  "/huge": (res) => res.writeHead(200, { "Content-Type": "application/json" }).end(`"${"x".repeat(200_000)}"`),
  "/silent": () => {},
  "/cut": (res) => {
    res.writeHead(200, { "Content-Length": "100" });
    res.write('{"rejected":');
    setTimeout(() => res.socket?.destroy(), 20);
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), socket: req.socket });
      routes[req.url ?? ""]?.(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => closeNow(server));

describe("sendJson", () => {
  test("the body and headers arrive as sent; the answer's status and text come back", async () => {
    const json = JSON.stringify({ notification: { event_id: "$é" } });
    const answer = await sendJson({ method: "PUT", url: `${base}/ok`, headers: { Authorization: "X-Matrix origin=a" }, json, timeoutMs: 5_000 });
    expect(answer).toEqual({ status: 200, text: '{"rejected":["k1"]}' });
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: "PUT", path: "/ok", body: json });
    expect(request?.headers).toMatchObject({ authorization: "X-Matrix origin=a", "content-type": "application/json", "content-length": String(Buffer.byteLength(json)) });
  });

  test("any status is an answer, and a redirect is not followed", async () => {
    expect(await sendJson({ method: "POST", url: `${base}/teapot`, json: "{}", timeoutMs: 5_000 })).toEqual({ status: 418, text: "short and stout" });
    const before = seen.length;
    expect((await sendJson({ method: "POST", url: `${base}/moved`, json: "{}", timeoutMs: 5_000 })).status).toBe(307);
    expect(seen.slice(before).map((s) => s.path)).toEqual(["/moved"]);
  });

  test("an answer longer than the limit comes back as its status alone", async () => {
    expect(await sendJson({ method: "POST", url: `${base}/huge`, json: "{}", timeoutMs: 5_000, maxAnswerBytes: 1_000 })).toEqual({ status: 200, text: null });
    expect((await sendJson({ method: "POST", url: `${base}/huge`, json: "{}", timeoutMs: 5_000 })).text).toHaveLength(200_002);
  });

  test("one request after another reuses the kept-alive connection", async () => {
    await sendJson({ method: "POST", url: `${base}/ok`, json: "{}", timeoutMs: 5_000 });
    await sendJson({ method: "POST", url: `${base}/ok`, json: "{}", timeoutMs: 5_000 });
    const [a, b] = seen.slice(-2);
    expect(a?.socket).toBe(b?.socket);
  });

  test("no answer within the deadline, an answer cut off, or a URL that is not http(s) rejects with the reason", async () => {
    await expect(sendJson({ method: "POST", url: `${base}/silent`, json: "{}", timeoutMs: 100 })).rejects.toThrow("no answer within 100 ms");
    await expect(sendJson({ method: "POST", url: `${base}/cut`, json: "{}", timeoutMs: 5_000 })).rejects.toThrow(/^(aborted|the answer was cut off)$/);
    await expect(sendJson({ method: "POST", url: "ftp://127.0.0.1/x", json: "{}", timeoutMs: 5_000 })).rejects.toThrow("unsupported protocol ftp:");
    await expect(sendJson({ method: "POST", url: "not a url", json: "{}", timeoutMs: 5_000 })).rejects.toThrow("not a URL");
  });
});
