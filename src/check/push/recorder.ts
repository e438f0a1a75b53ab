/**
 * The checker's recording push gateway. Pushers on the server under test point at it; it
 * records every POST with the time it arrived and answers from a script per pushkey, one entry
 * per attempt, so failures can be injected:
 *
 * - `ok`: 200 `{"rejected": []}`;
 * - `5xx`: 500 with a Matrix error body;
 * - `timeout`: no answer; the connection is dropped after `hangMs` (the homeserver sees a
 *   request that never completed, as it would with a gateway that timed out);
 * - `not-json`: 200 with a body that is not JSON (a failure, PUSH-26);
 * - `reject`: 200 `{"rejected": [pushkey]}` (PUSH-28);
 * - `reject-other`: 200 `{"rejected": ["<another pushkey>"]}` (must not remove this pusher).
 *
 * When a pushkey's script runs out it answers `ok`. The same decision serves the HTTP server
 * (for targets) and in-process calls (for the reference on a virtual clock).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PushReply } from "../drivers/engine-host.ts";
import { closeNow } from "../../http/listen.ts";

export type ScriptedReply = "ok" | "5xx" | "timeout" | "not-json" | "reject" | "reject-other";

export interface ReceivedPush {
  readonly path: string;
  readonly body: unknown;
  readonly pushkey: string | null;
  readonly eventId: string | null;
  readonly reply: ScriptedReply;
  /** When the POST arrived, and when it was answered or dropped (clock milliseconds). */
  readonly at: number;
  readonly settledAt: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The first device's pushkey and the event id of a notify body (or of a provider's payload). */
export function identify(body: unknown): { pushkey: string | null; eventId: string | null } {
  const n = isObject(body) && isObject(body.notification) ? body.notification : body;
  if (!isObject(n)) return { pushkey: null, eventId: null };
  const device = Array.isArray(n.devices) ? n.devices[0] : undefined;
  const pushkey = isObject(device) && typeof device.pushkey === "string" ? device.pushkey : null;
  return { pushkey, eventId: typeof n.event_id === "string" ? n.event_id : null };
}

export class RecordingGateway {
  readonly received: ReceivedPush[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private server: Server | null = null;
  url = "";

  constructor(readonly hangMs = 1_000) {}

  /** Answers for the next attempts at `pushkey`, in order; `ok` once they are used up. */
  script(pushkey: string, replies: readonly ScriptedReply[]): void {
    this.scripts.set(pushkey, [...replies]);
  }

  /** Records one POST at time `now` and decides its reply. */
  receive(path: string, body: unknown, now: number): PushReply {
    const { pushkey, eventId } = identify(body);
    const reply = (pushkey === null ? undefined : this.scripts.get(pushkey)?.shift()) ?? "ok";
    const settledAt = reply === "timeout" ? now + this.hangMs : now;
    this.received.push({ path, body, pushkey, eventId, reply, at: now, settledAt });
    return replyOf(reply, pushkey, this.hangMs);
  }

  /** What reached this gateway for one pushkey, in arrival order. */
  pushesFor(pushkey: string): ReceivedPush[] {
    return this.received.filter((r) => r.pushkey === pushkey);
  }

  async listen(host = "127.0.0.1", port = 0, publicUrl?: string): Promise<string> {
    const server = createServer((req, res) => {
      void readJson(req).then((body) => {
        const reply = this.receive(req.url ?? "/", body, Date.now());
        if (reply.kind === "hang-up") setTimeout(() => req.socket.destroy(), reply.afterMs);
        else {
          res.writeHead(reply.status, { "Content-Type": "application/json" });
          res.end(reply.kind === "text" ? reply.text : JSON.stringify(reply.body));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.url = publicUrl ?? `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    return this.server === null ? Promise.resolve() : closeNow(this.server);
  }
}

function replyOf(reply: ScriptedReply, pushkey: string | null, hangMs: number): PushReply {
  switch (reply) {
    case "ok":
      return { kind: "answer", status: 200, body: { rejected: [] } };
    case "5xx":
      return { kind: "answer", status: 500, body: { errcode: "M_UNKNOWN", error: "injected failure" } };
    case "timeout":
      return { kind: "hang-up", afterMs: hangMs };
    case "not-json":
      return { kind: "text", status: 200, text: "<html>not json</html>" };
    case "reject":
      return { kind: "answer", status: 200, body: { rejected: pushkey === null ? [] : [pushkey] } };
    case "reject-other":
      return { kind: "answer", status: 200, body: { rejected: [`${pushkey ?? ""}-not-yours`] } };
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString("utf8")));
      } catch {
        resolve(null);
      }
    });
    req.on("error", () => resolve(null));
  });
}
