/**
 * Homeservers and gateways as real child processes (`node bin/courier.mjs serve …`), for the
 * crash tests: each is started on a port chosen beforehand (so peers can name each other and a
 * restarted server comes back at the same address), logs to a file that survives SIGKILL, and
 * can be killed with any signal. `startedMs` is how long the process took to print its URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

const COURIER = new URL("../../bin/courier.mjs", import.meta.url).pathname;

export interface Child {
  readonly url: string;
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly startedMs: number;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

/** SIGKILLs every child still running; for afterAll/afterEach. */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  running.clear();
}

async function serve(args: readonly string[], logFile: string, listening: RegExp): Promise<Child> {
  const started = performance.now();
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, [COURIER, "serve", ...args], { stdio: ["ignore", "pipe", log] });
  closeSync(log);
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 20 s; log: ${readFileSync(logFile, "utf8").slice(-2000)}`)), 20_000);
    lines.on("line", (line) => {
      const m = listening.exec(line);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before listening; log: ${readFileSync(logFile, "utf8").slice(-2000)}`));
    });
  });
  return { url, process: child, exited, startedMs: performance.now() - started };
}

export interface HomeserverProcessOptions {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  readonly peers: ReadonlyMap<string, string>;
  readonly logFile: string;
}

export function spawnHomeserver(o: HomeserverProcessOptions): Promise<Child> {
  const peers = [...o.peers].flatMap(([name, url]) => ["--peer", `${name}=${url}`]);
  const args = ["homeserver", "--server-name", o.name, "--port", String(o.port), "--data-dir", o.dataDir, ...peers];
  return serve(args, o.logFile, /^homeserver \S+ listening on (http:\/\/\S+)$/);
}

export function spawnGateway(o: { readonly dataDir: string; readonly logFile: string }): Promise<Child> {
  return serve(["gateway", "--port", "0", "--data-dir", o.dataDir], o.logFile, /^gateway listening on (http:\/\/\S+)$/);
}

/** SIGKILL, then wait for the exit. */
export async function kill9(child: Child): Promise<void> {
  child.process.kill("SIGKILL");
  await child.exited;
}
