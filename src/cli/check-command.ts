/**
 * `courier check`: the reference's properties against any homeserver and push gateway, over
 * HTTP (the conformance checker, `src/check/`). Prints a progress bar on stderr, then the
 * report on stdout; exit 0 when every property holds, 1 when one fails, 2 for a usage error.
 */
import { writeFileSync } from "node:fs";
import { type AccountsChoice, type CheckOptions, type ProgressEvent, runCheck, SUITES } from "../check/check.ts";
import { formatReport, progressLine } from "../check/report.ts";
import type { SuiteName } from "../check/runner.ts";
import { type FlagSpec, flagHelp, type ParsedFlags, parseFlags, UsageError } from "./args.ts";
import type { Subcommand } from "./main.ts";

export const CHECK_FLAGS: readonly FlagSpec[] = [
  { name: "homeserver", kind: "string", placeholder: "URL", help: "base URL of the homeserver to check (todevice, push, federation suites)" },
  { name: "second-homeserver", kind: "string", placeholder: "URL", help: "base URL of a second homeserver federating with the first (federation suite)" },
  { name: "gateway", kind: "string", placeholder: "URL", help: "base URL of the push gateway to check (gateway suite)" },
  { name: "suite", kind: "list", placeholder: "NAME", help: `suite to run, repeatable or comma-separated: ${SUITES.join(", ")}; default: every suite whose target is given` },
  { name: "runs", kind: "number", placeholder: "N", help: "runs per property (default: each property's own, a few over HTTP)" },
  { name: "seed", kind: "number", placeholder: "N", help: "fast-check seed; a failure prints the seed that replays it (default: random)" },
  { name: "shrink-seconds", kind: "number", placeholder: "S", default: 60, help: "time limit for shrinking one failure (each step re-runs a scenario)" },
  { name: "json", kind: "string", placeholder: "FILE", help: "also write the whole report as JSON" },
  { name: "compare-with", kind: "string", placeholder: "reference", help: "run every scenario on the in-process reference too and report the first divergence" },
  { name: "registration-shared-secret", kind: "string", placeholder: "SECRET", help: "make users with Synapse's shared-secret registration instead of open registration" },
  { name: "tokens-file", kind: "string", placeholder: "FILE", help: "use ready users: a JSON array of {user_id, access_token, device_id, password?}" },
  { name: "second-tokens-file", kind: "string", placeholder: "FILE", help: "ready users on the second homeserver (with --tokens-file)" },
  { name: "sync-limit", kind: "number", placeholder: "N", default: 100, help: "the per-sync to-device limit the homeserver applies (TD-23 recommends 100)" },
  { name: "hold-to-policies", kind: "boolean", help: "also generate cases the spec leaves to policy (mixed `*`, re-created device ids) and expect the reference's answers" },
  { name: "recorder-listen", kind: "string", placeholder: "HOST:PORT", default: "127.0.0.1:0", help: "where the recording push gateway listens (pushers on the homeserver point at it)" },
  { name: "recorder-url", kind: "string", placeholder: "URL", help: "the recording gateway's base URL as the homeserver reaches it (default: from --recorder-listen)" },
  { name: "push-wait", kind: "number", placeholder: "MS", default: 10_000, help: "how long to wait for a push the homeserver owes, beyond back-off delays" },
  { name: "min-backoff", kind: "number", placeholder: "MS", default: 500, help: "the shortest wait after a failed push accepted as back-off" },
  { name: "hang", kind: "number", placeholder: "MS", default: 1_000, help: "how long the recording gateway holds an injected timeout before dropping the connection" },
  { name: "federation-tap", kind: "string", placeholder: "HOST:PORT", help: "listen here and forward to --second-homeserver; route the first homeserver's federation traffic to the second through it to enable replays" },
  { name: "federation-wait", kind: "number", placeholder: "MS", default: 10_000, help: "how long a message may take to arrive over federation" },
  { name: "gateway-app-id", kind: "string", placeholder: "ID", default: "org.courier.sandbox.apns", help: "an app id the gateway routes to a provider that accepts any pushkey" },
  { name: "gateway-webhook-app-id", kind: "string", placeholder: "ID", help: "an app id whose provider posts to the recording gateway (to see deliveries on gateways without /_courier/deliveries)" },
  { name: "no-progress", kind: "boolean", help: "no progress bar" },
  { name: "help", kind: "boolean", help: "show this help" },
];

const HELP = `Usage: courier check [--homeserver URL] [--second-homeserver URL] [--gateway URL] [options]

Runs the reference's properties against a homeserver and a push gateway over HTTP, with
generated scenarios, and prints a summary per property and, for each failure, the shrunk
counterexample as a numbered trace of HTTP exchanges.

Options:
${flagHelp(CHECK_FLAGS)}`;

function hostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(.*):([0-9]{1,5})$/.exec(value);
  if (m === null) throw new UsageError(`--${flag} wants HOST:PORT, not ${JSON.stringify(value)}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

function suitesOf(flags: ParsedFlags): SuiteName[] | undefined {
  const list = ((flags.suite as string[] | undefined) ?? []).flatMap((s) => s.split(",")).filter(Boolean);
  if (list.length === 0) return undefined;
  for (const s of list) if (!SUITES.includes(s as SuiteName)) throw new UsageError(`--suite: unknown suite ${JSON.stringify(s)}; known: ${SUITES.join(", ")}`);
  return list as SuiteName[];
}

function accountsOf(flags: ParsedFlags): AccountsChoice {
  const secret = flags["registration-shared-secret"];
  const tokens = flags["tokens-file"];
  if (typeof secret === "string" && typeof tokens === "string") throw new UsageError("give --registration-shared-secret or --tokens-file, not both");
  if (typeof secret === "string") return { kind: "shared-secret", secret };
  if (typeof tokens === "string") {
    const second = flags["second-tokens-file"];
    return { kind: "tokens", file: tokens, ...(typeof second === "string" ? { secondFile: second } : {}) };
  }
  return { kind: "registration" };
}

const str = (flags: ParsedFlags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);

/** Flags into options; throws UsageError. */
export function checkOptionsFrom(flags: ParsedFlags, onProgress?: (e: ProgressEvent) => void): CheckOptions {
  const compare = str(flags, "compare-with");
  if (compare !== undefined && compare !== "reference") throw new UsageError(`--compare-with: only "reference" is known, not ${JSON.stringify(compare)}`);
  const homeserver = str(flags, "homeserver");
  const gateway = str(flags, "gateway");
  if (homeserver === undefined && gateway === undefined) throw new UsageError("give --homeserver URL and/or --gateway URL");
  const listen = hostPort(String(flags["recorder-listen"]), "recorder-listen");
  const recorderUrl = str(flags, "recorder-url");
  const tap = str(flags, "federation-tap");
  const second = str(flags, "second-homeserver");
  const suites = suitesOf(flags);
  const webhook = str(flags, "gateway-webhook-app-id");
  return {
    ...(homeserver === undefined ? {} : { homeserver }),
    ...(second === undefined ? {} : { secondHomeserver: second }),
    ...(gateway === undefined ? {} : { gateway }),
    ...(suites === undefined ? {} : { suites }),
    ...(typeof flags.runs === "number" ? { runs: Math.max(1, Math.floor(flags.runs)) } : {}),
    seed: typeof flags.seed === "number" ? flags.seed : (Date.now() ^ (Math.random() * 0x100000000)) >>> 0,
    shrinkMs: Number(flags["shrink-seconds"]) * 1000,
    compare: compare !== undefined,
    accounts: accountsOf(flags),
    syncLimit: Number(flags["sync-limit"]),
    policyCases: flags["hold-to-policies"] === true,
    recorder: { ...listen, ...(recorderUrl === undefined ? {} : { publicUrl: recorderUrl.replace(/\/+$/, "") }), hangMs: Number(flags.hang) },
    pushWaitMs: Number(flags["push-wait"]),
    minBackoffMs: Number(flags["min-backoff"]),
    ...(tap === undefined ? {} : { federationTap: hostPort(tap, "federation-tap") }),
    federationWaitMs: Number(flags["federation-wait"]),
    gatewayAppId: String(flags["gateway-app-id"]),
    ...(webhook === undefined ? {} : { gatewayWebhookAppId: webhook }),
    ...(onProgress === undefined ? {} : { onProgress }),
  };
}

/** A progress bar on a terminal; one line per finished property otherwise. */
function progress(stream: NodeJS.WriteStream): (e: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  return (e) => {
    if (e.kind === "run" && tty) stream.write(`\r\x1b[2K${progressLine(e.id, e.done, e.total, e.phase)}`);
    if (e.kind === "end") {
      const r = e.result;
      stream.write(`${tty ? "\r\x1b[2K" : ""}${r.status === "passed" ? "✓" : "✗"} ${r.id} (${r.runs} runs, ${(r.ms / 1000).toFixed(1)} s)\n`);
    }
  };
}

export const checkCommand: Subcommand = {
  name: "check",
  summary: "Check a homeserver and/or push gateway over HTTP against the reference's properties",
  async run(argv) {
    let options: CheckOptions;
    let flags: ParsedFlags;
    try {
      flags = parseFlags(argv, CHECK_FLAGS);
      if (flags.help === true) {
        process.stdout.write(`${HELP}\n`);
        return 0;
      }
      options = checkOptionsFrom(flags, flags["no-progress"] === true ? undefined : progress(process.stderr));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`courier check: ${e.message}\n(see --help)\n`);
      return 2;
    }
    const report = await runCheck(options);
    process.stdout.write(`${formatReport(report, argv)}\n`);
    const json = str(flags, "json");
    if (json !== undefined) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  },
};
