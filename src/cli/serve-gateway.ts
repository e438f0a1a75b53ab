/**
 * `courier serve gateway`: the push gateway as its own process (DESIGN.md "Processes, ports and
 * commands"). Prints one line with its URL once listening, logs one JSON object per line on
 * stderr, and shuts down gracefully on SIGINT or SIGTERM (exit 0). Exit 2 for a usage error or a
 * configuration file that cannot be read or is invalid; exit 1 if it cannot listen or recover.
 */
import { readFileSync } from "node:fs";
import { DEFAULT_TRANSIENT_FAILURES } from "../gateway/config.ts";
import { type GatewayConfig, parseGatewayConfig, sandboxConfig } from "../gateway/index.ts";
import { DEFAULT_PROVIDER_TIMEOUT_MS } from "../gateway-server/provider-post.ts";
import { DEFAULT_BODY_LIMIT_BYTES, startGatewayServer } from "../gateway-server/server.ts";
import { type FlagSpec, flagHelp, type ParsedFlags, parseFlags, UsageError } from "./args.ts";

const FLAGS: readonly FlagSpec[] = [
  { name: "port", kind: "number", default: 5000, placeholder: "P", help: "TCP port; 0 picks a free one, named in the line printed" },
  { name: "host", kind: "string", default: "127.0.0.1", placeholder: "H", help: "address to listen on" },
  {
    name: "config",
    kind: "string",
    placeholder: "FILE",
    help: "gateway configuration (YAML: apps, dedupe_window_ms, legacy_notification_id, retry); without it the sandbox configuration",
  },
  {
    name: "data-dir",
    kind: "string",
    placeholder: "DIR",
    help: "keep the journal here, so dedupe memory, token failures and pending deliveries survive a restart; without it nothing is persisted (in memory only)",
  },
  { name: "body-limit", kind: "number", default: DEFAULT_BODY_LIMIT_BYTES, placeholder: "BYTES", help: "largest request body accepted; a larger one gets 413" },
  { name: "provider-timeout", kind: "number", default: DEFAULT_PROVIDER_TIMEOUT_MS, placeholder: "MS", help: "timeout of each webhook provider POST" },
];

function helpText(): string {
  const left = (f: FlagSpec) => `--${f.name} ${f.placeholder ?? ""}`.length;
  const width = Math.max(...FLAGS.map(left));
  return `Usage: courier serve gateway [options]

Runs the Matrix push gateway (POST /_matrix/push/v1/notify) as one process.

Options:
${flagHelp(FLAGS)}
  ${"--help".padEnd(width)}  show this text

Without --config the sandbox configuration is used: app id org.courier.sandbox.apns goes to a
simulated APNS provider, org.courier.sandbox.fcm to a simulated FCM provider. They take the
outcome from the pushkey: one starting "invalid" is an invalid token (APNS rejects it on its next
use, FCM at once), one starting "transient" fails ${DEFAULT_TRANSIENT_FAILURES} times before it is delivered, any other
is delivered.

Courier-specific, not Matrix: GET /_courier/deliveries[?pushkey=K] lists what the providers
were given since the process started, newest last.
`;
}

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

interface Settings {
  readonly port: number;
  readonly host: string;
  readonly config: GatewayConfig;
  readonly dataDir?: string;
  readonly bodyLimitBytes: number;
  readonly providerTimeoutMs: number;
}

function integer(flags: ParsedFlags, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = flags[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

/** Thrown for a configuration file that cannot be read or is invalid (exit 2). */
class ConfigError extends Error {}

function loadConfig(file: string | undefined): GatewayConfig {
  if (file === undefined) return sandboxConfig;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseGatewayConfig(text);
  if (!parsed.ok) throw new ConfigError(`invalid configuration in ${file}: ${parsed.reason}`);
  return parsed.value;
}

function settingsFrom(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const flags = parseFlags(argv, FLAGS, env);
  const text = (name: string): string | undefined => {
    const value = flags[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const dataDir = text("data-dir");
  const base = {
    port: integer(flags, "port", 0, 65535),
    host: text("host") ?? "127.0.0.1",
    bodyLimitBytes: integer(flags, "body-limit", 1),
    providerTimeoutMs: integer(flags, "provider-timeout", 1),
    config: loadConfig(text("config")),
  };
  return dataDir === undefined ? base : { ...base, dataDir };
}

function jsonLines(io: CommandIo): (line: Record<string, unknown>) => void {
  return (line) => io.err(`${JSON.stringify({ ts: new Date().toISOString(), ...line })}\n`);
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export async function serveGatewayCommand(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(helpText());
    return 0;
  }
  let settings: Settings;
  try {
    settings = settingsFrom(argv, io.env);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof ConfigError)) throw e;
    io.err(`courier serve gateway: ${e.message}\n${e instanceof UsageError ? "Run `courier serve gateway --help` for the options.\n" : ""}`);
    return 2;
  }
  const log = jsonLines(io);
  let server: Awaited<ReturnType<typeof startGatewayServer>>;
  try {
    server = await startGatewayServer({ ...settings, log });
  } catch (e) {
    io.err(`courier serve gateway: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const stopped = nextSignal();
  io.out(`gateway listening on ${server.url}\n`);
  const signal = await stopped;
  log({ msg: "shutting down", signal });
  await server.close();
  log({ msg: "stopped" });
  return 0;
}
