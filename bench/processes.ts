/**
 * The servers under load run in their own processes, as users run them: the homeserver and the
 * gateway through the `courier` command (`bin/courier.mjs serve ...`), the bare baseline through
 * `bare-server.ts`. The load generator stays in this process, so a server never shares its event
 * loop with the client measuring it (they do share the machine's cores, and the report says so).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface RunningChild {
  /** The base URL the child printed once listening, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A crashed or interrupted benchmark must not leave servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

function waitForUrl(child: ChildProcess, label: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => fail(new Error(`${label}: no "listening on URL" line within ${timeoutMs} ms; output: ${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /listening on (https?:\/\/\S+)/.exec(seen);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${label} exited (code ${code}) before listening; output: ${seen}`));
    function fail(e: Error): void {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.kill("SIGKILL");
      reject(e);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        live.delete(child);
        resolve();
        return;
      }
      const hard = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(hard);
        live.delete(child);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/**
 * With COURIER_BENCH_PROFILE=DIR, each server writes a V8 CPU profile into DIR when it stops
 * (open it in Chrome DevTools, Performance tab). Node refuses --cpu-prof in NODE_OPTIONS.
 */
function profileArgs(): string[] {
  const dir = process.env.COURIER_BENCH_PROFILE;
  return dir === undefined || dir === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}

/** Start `node <args>` in the repository and wait for its "listening on URL" line. */
export async function startChild(label: string, nodeArgs: readonly string[]): Promise<RunningChild> {
  installExitHook();
  // stderr carries one JSON log line per request: kept (the shipped servers log), sent nowhere.
  const child = spawn(process.execPath, [...profileArgs(), ...nodeArgs], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] });
  live.add(child);
  const url = await waitForUrl(child, label, 30_000);
  if (child.pid === undefined) throw new Error(`${label}: no pid`);
  return { url, pid: child.pid, stop: stopper(child) };
}

/** `courier serve homeserver` on a free loopback port; `dataDir` null keeps it in memory. */
export function startHomeserverProcess(serverName: string, dataDir: string | null): Promise<RunningChild> {
  const args = ["bin/courier.mjs", "serve", "homeserver", "--server-name", serverName, "--port", "0"];
  return startChild(`homeserver ${serverName}`, dataDir === null ? args : [...args, "--data-dir", dataDir]);
}

/** `courier serve gateway` with the sandbox configuration, in memory. */
export function startGatewayProcess(): Promise<RunningChild> {
  return startChild("gateway", ["bin/courier.mjs", "serve", "gateway", "--port", "0"]);
}

/** The baseline: node:http that reads the body, parses it and answers `answer`. */
export function startBareProcess(answer: string): Promise<RunningChild> {
  return startChild("bare server", ["--import", "tsx", "bench/bare-server.ts", answer]);
}
