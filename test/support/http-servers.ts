/**
 * Homeservers and push gateways started in this process on 127.0.0.1, port 0, for the HTTP
 * suites. Peers are a shared Map filled in once every server listens, so two servers can name
 * each other although neither port is known in advance; a server stopped and started again keeps
 * its data directory and its port. Also a recording push gateway: a bare HTTP server that keeps
 * each notify body (checked against the generated notify body validator) and answers as told.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validators } from "../../models/index.ts";
import type { PolicyOverrides } from "../../src/engine/policies.ts";
import { sandboxConfig } from "../../src/gateway/index.ts";
import { type GatewayServer, startGatewayServer } from "../../src/gateway-server/server.ts";
import { type RunningHomeserver, startHomeserver } from "../../src/homeserver-server/server.ts";
import type { ServerName } from "../../src/ids.ts";
import { closeNow } from "../../src/http/listen.ts";

export const NOTIFY_PATH = "/_matrix/push/v1/notify";

export function tempDir(prefix = "courier-http-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FederationOptions {
  readonly policies?: PolicyOverrides;
  readonly bodyLimitBytes?: number;
  /** Keep each server's journal in a temporary directory, so it survives a restart. */
  readonly durable?: boolean;
}

interface Slot {
  running: RunningHomeserver | null;
  port: number;
  readonly dataDir: string | null;
}

/** A set of homeservers that know each other. */
export class Federation {
  readonly peers = new Map<string, string>();
  private readonly slots = new Map<string, Slot>();
  private readonly dirs: string[] = [];

  private constructor(private readonly options: FederationOptions) {}

  static async start(names: readonly string[], options: FederationOptions = {}): Promise<Federation> {
    const federation = new Federation(options);
    for (const name of names) {
      const dataDir = options.durable === true ? tempDir(`courier-${name}-`) : null;
      if (dataDir !== null) federation.dirs.push(dataDir);
      federation.slots.set(name, { running: null, port: 0, dataDir });
      await federation.startServer(name);
    }
    return federation;
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new Error(`no homeserver ${name}`);
    return slot;
  }

  url(name: string): string {
    const url = this.peers.get(name);
    if (url === undefined) throw new Error(`homeserver ${name} never started`);
    return url;
  }

  server(name: string): RunningHomeserver {
    const running = this.slot(name).running;
    if (running === null) throw new Error(`homeserver ${name} is stopped`);
    return running;
  }

  /** Starts (or starts again, same port and data directory) the server named `name`. */
  async startServer(name: string): Promise<RunningHomeserver> {
    const slot = this.slot(name);
    if (slot.running !== null) return slot.running;
    const running = await startHomeserver({
      serverName: name as ServerName,
      host: "127.0.0.1",
      port: slot.port,
      dataDir: slot.dataDir,
      peers: this.peers,
      log: () => {},
      ...(this.options.policies === undefined ? {} : { policies: this.options.policies }),
      ...(this.options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: this.options.bodyLimitBytes }),
    });
    slot.running = running;
    slot.port = Number(new URL(running.url).port);
    this.peers.set(name, running.url);
    return running;
  }

  async stopServer(name: string): Promise<void> {
    const slot = this.slot(name);
    const running = slot.running;
    slot.running = null;
    await running?.close();
  }

  async restartServer(name: string): Promise<RunningHomeserver> {
    await this.stopServer(name);
    return this.startServer(name);
  }

  async close(): Promise<void> {
    for (const name of this.slots.keys()) await this.stopServer(name);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The sandbox push gateway (DESIGN: `org.courier.sandbox.apns` / `.fcm`), in memory. */
export function startSandboxGateway(): Promise<GatewayServer> {
  return startGatewayServer({ host: "127.0.0.1", port: 0, config: sandboxConfig, cleanupIntervalMs: 3_600_000 });
}

export interface NotifyPost {
  readonly notification: {
    readonly event_id?: string;
    readonly room_id?: string;
    readonly type?: string;
    readonly sender?: string;
    readonly room_name?: string;
    readonly user_is_target?: boolean;
    readonly content?: Readonly<Record<string, unknown>>;
    readonly counts?: { readonly unread?: number; readonly missed_calls?: number };
    readonly devices: readonly { readonly app_id: string; readonly pushkey: string; readonly pushkey_ts?: number; readonly data?: unknown; readonly tweaks?: unknown }[];
    readonly [key: string]: unknown;
  };
}

export interface RecordingGateway {
  readonly url: string;
  readonly notifyUrl: string;
  readonly received: NotifyPost[];
  /** Bodies that did not match the generated notify body schema (should stay empty). */
  readonly invalid: unknown[];
  close(): Promise<void>;
}

/** A gateway that records every notify body and answers `{rejected: reject(post)}`. */
export async function startRecordingGateway(reject: (post: NotifyPost) => readonly string[] = () => []): Promise<RecordingGateway> {
  const received: NotifyPost[] = [];
  const invalid: unknown[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(parts).toString("utf8"));
      if (!validators.notify.body(body).ok) invalid.push(body);
      const post = body as NotifyPost;
      received.push(post);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ rejected: reject(post) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    notifyUrl: url + NOTIFY_PATH,
    received,
    invalid,
    close: () => closeNow(server),
  };
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
