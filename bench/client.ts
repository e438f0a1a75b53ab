/**
 * A small keep-alive JSON client on `node:http` for setting up benchmarks (registering users,
 * rooms, pushers) and for the long-poll latency measurement, where each response has to be tied
 * to the request that caused it (which a load generator such as autocannon cannot do).
 */
import { Agent, request as httpRequest } from "node:http";

export interface JsonResponse {
  readonly status: number;
  readonly text: string;
}

export class JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  request(method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<JsonResponse> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { agent: this.agent, host: this.base.hostname, port: this.base.port, method, path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** A request that must answer 200; its body parsed. */
  async ok(method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<Record<string, unknown>> {
    const res = await this.request(method, path, options);
    if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text) as Record<string, unknown>;
  }

  close(): void {
    this.agent.destroy();
  }
}

const CS = "/_matrix/client/v3";

export interface Account {
  readonly userId: string;
  readonly deviceId: string;
  readonly token: string;
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`expected ${what} to be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** `POST /register` with the dummy auth flow (open registration, as `courier serve` runs). */
export async function register(client: JsonClient, username: string, deviceId?: string): Promise<Account> {
  const body = { username, password: "bench", auth: { type: "m.login.dummy" }, ...(deviceId === undefined ? {} : { device_id: deviceId }) };
  const r = await client.ok("POST", `${CS}/register`, { body });
  return { userId: text(r.user_id, "user_id"), deviceId: text(r.device_id, "device_id"), token: text(r.access_token, "access_token") };
}

export async function createRoom(client: JsonClient, creator: Account, invite: readonly string[]): Promise<string> {
  const r = await client.ok("POST", `${CS}/createRoom`, { token: creator.token, body: { name: "Bench", invite } });
  return text(r.room_id, "room_id");
}

export async function join(client: JsonClient, who: Account, roomId: string): Promise<void> {
  await client.ok("POST", `${CS}/join/${encodeURIComponent(roomId)}`, { token: who.token, body: {} });
}

/** An http pusher for `who` pointing at a gateway's notify URL. */
export async function setPusher(client: JsonClient, who: Account, appId: string, pushkey: string, gatewayUrl: string): Promise<void> {
  const body = {
    kind: "http",
    app_id: appId,
    pushkey,
    app_display_name: "Bench",
    device_display_name: who.deviceId,
    lang: "en",
    data: { url: `${gatewayUrl}/_matrix/push/v1/notify` },
  };
  await client.ok("POST", `${CS}/pushers/set`, { token: who.token, body });
}

export function sendToDevicePath(eventType: string, txnId: string): string {
  return `${CS}/sendToDevice/${encodeURIComponent(eventType)}/${encodeURIComponent(txnId)}`;
}

export function roomSendPath(roomId: string, txnId: string): string {
  return `${CS}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(txnId)}`;
}

export function syncPath(since: string | null, timeoutMs: number): string {
  const query = new URLSearchParams({ timeout: String(timeoutMs) });
  if (since !== null) query.set("since", since);
  return `${CS}/sync?${query.toString()}`;
}

/** `GET /sync` that must answer 200: its `next_batch` and to-device event count. */
export async function sync(client: JsonClient, who: Account, since: string | null, timeoutMs: number): Promise<{ nextBatch: string; toDevice: number }> {
  const r = await client.ok("GET", syncPath(since, timeoutMs), { token: who.token });
  const events = (r.to_device as { events?: unknown[] } | undefined)?.events ?? [];
  return { nextBatch: text(r.next_batch, "next_batch"), toDevice: events.length };
}
