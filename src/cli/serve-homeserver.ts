/**
 * `courier serve homeserver`: one homeserver per process (DESIGN, "Processes, ports and
 * commands"), so tests can stop and restart it independently.
 */
import type { PolicyOverrides } from "../engine/policies.ts";
import { startHomeserver } from "../homeserver-server/server.ts";
import { parseServerName, type ServerName } from "../ids.ts";
import { parsePolicies, POLICY_NAMES } from "../policy-settings.ts";
import { type FlagSpec, flagHelp, parseFlags, requireString, UsageError } from "./args.ts";

const FLAGS: readonly FlagSpec[] = [
  { name: "server-name", kind: "string", placeholder: "NAME", help: "the server name in user ids (e.g. localhost:8008)" },
  { name: "port", kind: "number", placeholder: "P", default: 8008, help: "TCP port; 0 picks a free one (printed)" },
  { name: "host", kind: "string", placeholder: "ADDR", default: "127.0.0.1", help: "address to listen on" },
  { name: "data-dir", kind: "string", placeholder: "DIR", help: "where the journal lives; without it nothing survives a restart" },
  { name: "peer", kind: "list", placeholder: "NAME=URL", help: "another homeserver: its server name and base URL (repeatable)" },
  { name: "policy", kind: "list", placeholder: "NAME=VALUE", help: "set a policy (repeatable), e.g. syncLimit=50, zero-counts=send, federation-backoff=1000,2,60000; see README" },
  { name: "no-registration", kind: "boolean", help: "refuse POST /register" },
  { name: "body-limit", kind: "number", placeholder: "BYTES", default: 12 * 1024 * 1024, help: "largest request body accepted (413 above)" },
  { name: "help", kind: "boolean", help: "show this help" },
];

export const SERVE_HOMESERVER_HELP = `Usage: courier serve homeserver --server-name NAME [options]

Runs one Courier homeserver: the client-server API (send-to-device, /sync, accounts, rooms,
pushers and push rules) and the federation API (signed transactions, server keys), with its
state journaled in --data-dir. Stops cleanly on SIGINT or SIGTERM.

Options:
${flagHelp(FLAGS)}

Policies (--policy NAME=VALUE; the clause catalogue's names work too, and push.* / federation.*):
  ${POLICY_NAMES.join(", ")}`;

function parsePeers(list: readonly string[]): Map<string, string> {
  const peers = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq);
    const url = entry.slice(eq + 1);
    if (eq <= 0 || !parseServerName(name).ok || !/^https?:\/\/[^/]+$/.test(url)) {
      throw new UsageError(`--peer wants NAME=URL with a base URL and no path, e.g. localhost:8009=http://127.0.0.1:8009 (got ${JSON.stringify(entry)})`);
    }
    peers.set(name, url);
  }
  return peers;
}

export async function serveHomeserverCommand(argv: readonly string[]): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  let serverName: ServerName;
  let peers: Map<string, string>;
  let policies: PolicyOverrides;
  try {
    flags = parseFlags(argv, FLAGS);
    if (flags.help === true) {
      process.stdout.write(`${SERVE_HOMESERVER_HELP}\n`);
      return 0;
    }
    const name = parseServerName(requireString(flags, "server-name"));
    if (!name.ok) throw new UsageError(`--server-name: ${name.reason}`);
    serverName = name.value;
    peers = parsePeers((flags.peer as string[] | undefined) ?? []);
    try {
      policies = parsePolicies((flags.policy as string[] | undefined) ?? []);
    } catch (e) {
      throw new UsageError(`--policy: ${(e as Error).message}`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`courier serve homeserver: ${e.message}\n(see --help)\n`);
    return 2;
  }
  let running: Awaited<ReturnType<typeof startHomeserver>>;
  let onFatal = (_error: Error): void => {};
  try {
    running = await startHomeserver({
      serverName,
      host: String(flags.host),
      port: Number(flags.port),
      dataDir: typeof flags["data-dir"] === "string" ? flags["data-dir"] : null,
      peers,
      policies,
      registration: flags["no-registration"] !== true,
      bodyLimitBytes: Number(flags["body-limit"]),
      onFatal: (error) => onFatal(error),
    });
  } catch (e) {
    process.stderr.write(`courier serve homeserver: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`homeserver ${serverName} listening on ${running.url}\n`);
  return new Promise((resolve) => {
    const stop = (code: number) => {
      process.off("SIGINT", interrupted);
      process.off("SIGTERM", interrupted);
      void running.close().then(() => resolve(code));
    };
    const interrupted = () => stop(0);
    // The journal failed: what is in memory is no longer what a restart recovers, so stop.
    onFatal = (error) => {
      process.stderr.write(`courier serve homeserver: the journal could not be written (${error.message}); stopping\n`);
      stop(1);
    };
    process.on("SIGINT", interrupted);
    process.on("SIGTERM", interrupted);
  });
}
