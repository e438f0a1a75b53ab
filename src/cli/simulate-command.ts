/**
 * `courier simulate`: a whole federation (N homeservers, a push gateway, a client per device)
 * over a faulty network on a virtual clock, judged guarantee by guarantee (src/sim). Progress
 * goes to stderr, the verdict and figures to stdout; exit 1 on a violation, with the trace of
 * the run that shows it (in a file when it is long).
 */
import { writeFileSync } from "node:fs";
import { explain, faultsText, parseFaults, parsePolicies, POLICY_NAMES, simulate, type Simulation, workloadScenario, type WorkloadParams } from "../sim/index.ts";
import { livenessBoundMs, type Scenario } from "../sim/scenario.ts";
import { simPolicies } from "../sim/world.ts";
import { type FlagSpec, flagHelp, type ParsedFlags, parseFlags, UsageError } from "./args.ts";
import type { Subcommand } from "./main.ts";

const SUMMARY = "Simulate a federation with push over a faulty network and check every delivery guarantee";
const TRACE_LINES_SHOWN = 60;

const FLAGS: readonly FlagSpec[] = [
  { name: "servers", kind: "number", default: 3, placeholder: "N", help: "homeservers hs1.test … hsN.test" },
  { name: "devices", kind: "number", default: 12, placeholder: "N", help: "client devices in all (two per user when there are enough)" },
  { name: "messages", kind: "number", default: 1000, placeholder: "N", help: "client actions, one every 10 ms of simulated time (with --push, one in five is a room message)" },
  { name: "faults", kind: "string", default: "loss=0.05,dup=0.02,reorder=0.1", placeholder: "LIST", help: "loss, dup, reorder (per packet); partition, crash, gwrestart (per second); gw5xx (per notify); or none" },
  { name: "policy", kind: "list", placeholder: "NAME=VALUE", help: `a policy setting, repeatable (the catalogue's names work too, e.g. spoofed-edu-sender=log): ${POLICY_NAMES.join(", ")}` },
  { name: "seed", kind: "number", placeholder: "S", help: "seed of the run (default: from the clock, printed)" },
  { name: "push", kind: "boolean", help: "include push: rooms of four, a pusher per user, the gateway" },
  { name: "heal-at", kind: "number", placeholder: "MS", help: "when faults stop, in simulated ms (default: after the last action)" },
  { name: "json", kind: "string", placeholder: "FILE", help: "also write the verdict, figures and settings as JSON" },
  { name: "trace-file", kind: "string", placeholder: "FILE", help: "where a long trace of a failing run goes (default: courier-simulate-SEED.trace.txt)" },
  { name: "help", kind: "boolean", help: "show this text" },
];

function usage(): string {
  return [
    "Usage: courier simulate [--servers N] [--devices N] [--messages N] [--faults LIST] [--policy NAME=VALUE]... [--seed S] [--push] [--json FILE]",
    "",
    SUMMARY,
    "",
    flagHelp(FLAGS),
    "",
    "Faults stop at --heal-at; the run then continues until nothing is pending. Everything acknowledged must be",
    "delivered within the liveness bound: the federation back-off cap + the push back-off cap + 20 s (simulations",
    "use small back-offs: federation 250 ms doubling to 8 s, push 200 ms doubling to 4 s, give-up after 60 s).",
  ].join("\n");
}

function whole(flags: ParsedFlags, name: string, min: number): number {
  const value = flags[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be a whole number >= ${min}`);
  return value;
}

function params(flags: ParsedFlags): WorkloadParams {
  try {
    const seed = flags.seed === undefined ? Date.now() % 2_147_483_647 : whole(flags, "seed", 0);
    const base = {
      seed,
      servers: whole(flags, "servers", 1),
      devices: whole(flags, "devices", 1),
      messages: whole(flags, "messages", 0),
      faults: parseFaults(String(flags.faults)),
      push: flags.push === true,
      policies: parsePolicies((flags.policy as string[] | undefined) ?? []),
    };
    return flags["heal-at"] === undefined ? base : { ...base, healAt: whole(flags, "heal-at", 0) };
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function verdictLines(sim: Simulation): string[] {
  return sim.verdict.guarantees.map((g) => {
    const state = g.holds === null ? "not exercised (run with --push)" : g.holds ? "holds" : `VIOLATED (${g.findings.length}${g.findings.length >= 20 ? "+" : ""})`;
    const head = `  ${g.guarantee.padEnd(30)} ${state.padEnd(12)} ${g.clauses.join(", ")}`;
    return [head, ...g.findings.slice(0, 3).map((f) => `      ${f}`)].join("\n");
  });
}

interface Figures {
  readonly wallMs: number;
  readonly messages: number;
  readonly messagesPerSecond: number;
  readonly eventsPerSecond: number;
  readonly committedToDevice: number;
  readonly quiescentAfterMs: number | null;
  readonly livenessBoundMs: number;
}

function figures(sim: Simulation, wallMs: number, scenario: Scenario): Figures {
  const w = sim.world;
  const messages = w.history.sends.length;
  const seconds = Math.max(wallMs, 1) / 1000;
  return {
    wallMs: Math.round(wallMs),
    messages,
    messagesPerSecond: Math.round(messages / seconds),
    eventsPerSecond: Math.round(w.stats.events / seconds),
    committedToDevice: w.history.committedEvents,
    quiescentAfterMs: w.quiescedAt === null ? null : w.quiescedAt - w.end,
    livenessBoundMs: livenessBoundMs(simPolicies(scenario.policies)),
  };
}

function figureLines(f: Figures, sim: Simulation): string[] {
  const s = sim.world.stats;
  const settle = f.quiescentAfterMs === null ? "never quiescent" : `quiescent ${f.quiescentAfterMs} ms after faults healed and the last action`;
  return [
    `  ${f.messages} client sends simulated in ${(f.wallMs / 1000).toFixed(1)} s: ${f.messagesPerSecond} simulated messages per second`,
    `  ${s.events} events (${f.eventsPerSecond}/s); ${f.committedToDevice} to-device events committed by devices`,
    `  ${s.federationRequests} federation requests, ${s.notifyRequests} notify requests`,
    `  ${s.crashes} crashes (${s.replayedCommands} journaled commands replayed), ${s.gatewayRestarts} gateway restarts`,
    `  ${settle} (liveness bound ${f.livenessBoundMs} ms)`,
  ];
}

/** The trace lines about the first finding's message, or the whole trace if it is short. */
function traceExcerpt(text: string, violation: string): string {
  const lines = text.split("\n");
  if (lines.length <= TRACE_LINES_SHOWN) return text;
  const id = /(\$?[mr][0-9]+(?:_0)?)/.exec(violation.slice(violation.indexOf(":") + 1))?.[1];
  const pattern = id === undefined ? null : new RegExp(`(?<![\\w$])${id.replace("$", "\\$")}(?!\\w)`);
  const about = pattern === null ? [] : lines.filter((line) => pattern.test(line));
  return (about.length > 0 ? about : lines).slice(0, TRACE_LINES_SHOWN).join("\n");
}

function reportViolation(scenario: Scenario, flags: ParsedFlags): void {
  const explanation = explain(scenario);
  const violation = explanation.violation ?? "";
  const lines = explanation.text.split("\n").length;
  process.stdout.write(`\nfirst violation: ${violation}\n`);
  if (lines <= TRACE_LINES_SHOWN) {
    process.stdout.write(`trace:\n${explanation.text}\n`);
    return;
  }
  const file = typeof flags["trace-file"] === "string" ? flags["trace-file"] : `courier-simulate-${scenario.seed}.trace.txt`;
  writeFileSync(file, `${explanation.text}\n`);
  process.stdout.write(`trace (${lines} steps) written to ${file}; the steps about it:\n${traceExcerpt(explanation.text, violation)}\n`);
}

async function run(argv: readonly string[]): Promise<number> {
  let flags: ParsedFlags;
  let p: WorkloadParams;
  try {
    flags = parseFlags(argv, FLAGS);
    if (flags.help === true) {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    p = params(flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`courier simulate: ${error.message}\n\n${usage()}\n`);
    return 2;
  }
  const scenario = workloadScenario(p);
  const faults = `${faultsText(p.faults)} until t=${scenario.healAt} ms; ${scenario.schedule.length} scheduled partitions, crashes and restarts`;
  process.stdout.write(`courier simulate: ${p.servers} servers, ${p.devices} devices, ${p.messages} actions${p.push ? ", push" : ""}, seed ${p.seed}\n  faults: ${faults}\n`);
  const started = performance.now();
  const progress = (done: number, total: number, now: number) => {
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`  ${Math.round((100 * done) / Math.max(1, total))}%: ${done}/${total} actions, t=${(now / 1000).toFixed(1)} s simulated, ${elapsed} s elapsed\n`);
  };
  const sim = simulate(scenario, { progress });
  const f = figures(sim, performance.now() - started, scenario);
  process.stdout.write(`verdict:\n${verdictLines(sim).join("\n")}\nfigures:\n${figureLines(f, sim).join("\n")}\n`);
  if (typeof flags.json === "string") {
    const settings = { ...p, faults: faultsText(p.faults), healAt: scenario.healAt };
    writeFileSync(flags.json, `${JSON.stringify({ settings, ok: sim.verdict.ok, guarantees: sim.verdict.guarantees, figures: f, stats: sim.world.stats }, null, 2)}\n`);
  }
  if (sim.verdict.ok) return 0;
  reportViolation(scenario, flags);
  return 1;
}

export const simulateCommand: Subcommand = { name: "simulate", summary: SUMMARY, run };
