/**
 * The baseline every HTTP figure is divided by: a bare `node:http` server that reads the request
 * body, `JSON.parse`s it and answers a fixed JSON body (argv[2], default `{}`). Nothing else: no
 * routing, validation, state or logging. `GET /_bench/last` answers the last body received, so
 * a benchmark can capture what Courier really sends and replay exactly that.
 *
 * Run as its own process: `node --import tsx bench/bare-server.ts '{"rejected":[]}'`; it prints
 * `bare listening on URL` once listening and stops on SIGTERM or SIGINT.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const answer = process.argv[2] ?? "{}";
JSON.parse(answer);
const answerLength = Buffer.byteLength(answer);
let last = "";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/_bench/last") {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(last) });
      res.end(last);
      return;
    }
    const text = Buffer.concat(chunks).toString("utf8");
    // The parse is the work a JSON API cannot skip; its result is kept so it is not optimised away.
    last = text.length > 0 && JSON.parse(text) !== undefined ? text : last;
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": answerLength });
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`bare listening on http://127.0.0.1:${port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
