/**
 * The send-to-device property, parametrised by the target so the reference, any server over
 * HTTP and the broken variants all run exactly the same check: random command sequences, then a
 * drain of every live device, then the history checker.
 */
import fc from "fast-check";
import { freshNonce } from "../accounts.ts";
import type { Observation } from "../compare.ts";
import type { Verdict } from "../history.ts";
import { Violation } from "../violation.ts";
import { DeleteDeviceCommand, LoginCommand } from "./device.commands.ts";
import { FloodCommand } from "./flood.command.ts";
import { ReplayCommand } from "./replay.command.ts";
import { type DeviceSpec, SendCommand, type SendSpec } from "./send.command.ts";
import { SyncCommand } from "./sync.command.ts";
import { createWorld, drainAndJudge, type Model, type Target, type World } from "./world.ts";

const index = fc.nat({ max: 7 });

const deviceSpec: fc.Arbitrary<DeviceSpec> = fc.oneof(
  { arbitrary: fc.nat({ max: 2 }), weight: 4 },
  { arbitrary: fc.constant("*" as const), weight: 2 },
  { arbitrary: fc.constant("unknown" as const), weight: 1 },
);

/** true with probability `yes / total`; shrinks towards false. */
function weighted(yes: number, total: number): fc.Arbitrary<boolean> {
  return fc.nat({ max: total - 1 }).map((n) => n >= total - yes);
}

/**
 * With `policyCases` false, no device list mixes `*` with explicit ids: what that means is a
 * policy (TD-49, wildcard-mixed), not something a server can get wrong.
 */
function sendSpec(policyCases: boolean): fc.Arbitrary<SendSpec> {
  const devices = policyCases
    ? fc.array(deviceSpec, { minLength: 1, maxLength: 3 })
    : fc.oneof(fc.array(fc.oneof({ arbitrary: fc.nat({ max: 2 }), weight: 4 }, { arbitrary: fc.constant("unknown" as const), weight: 1 }), { minLength: 1, maxLength: 3 }), fc.constant(["*" as const]));
  return fc.record({
    sender: index,
    eventType: fc.constantFrom("m.a" as const, "m.b" as const),
    txn: fc.nat({ max: 5 }),
    targets: fc.array(fc.record({ user: fc.nat({ max: 1 }), devices }), { minLength: 1, maxLength: 2 }),
    invalidUser: weighted(1, 6),
    remote: fc.boolean(),
    oversize: weighted(1, 8),
    concurrent: weighted(1, 6),
    loseResponse: weighted(1, 6),
  });
}

export function commandArbitrary(policyCases = true): fc.Arbitrary<fc.AsyncCommand<Model, World>> {
  return fc.oneof(
    { arbitrary: sendSpec(policyCases).map((spec) => new SendCommand(spec)), weight: 6 },
    { arbitrary: fc.tuple(index, weighted(1, 2)).map(([w, c]) => new ReplayCommand(w, c)), weight: 2 },
    {
      arbitrary: fc
        .tuple(index, fc.constantFrom("follow" as const, "follow" as const, "follow" as const, "lose" as const, "initial" as const))
        .map(([d, m]) => new SyncCommand(d, m)),
      weight: 8,
    },
    { arbitrary: index.map((d) => new DeleteDeviceCommand(d)), weight: 1 },
    { arbitrary: fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 2 })).map(([u, d]) => new LoginCommand(u, d)), weight: 1 },
    { arbitrary: fc.tuple(index, index, fc.integer({ min: 1, max: 3 })).map(([s, d, e]) => new FloodCommand(s, d, e)), weight: 1 },
  );
}

export interface RunInput {
  readonly s: fc.Scheduler;
  /** The per-sync limit an in-process engine is configured with; a real server has its own. */
  readonly syncLimit: number;
  readonly commands: Iterable<fc.AsyncCommand<Model, World>>;
}

export function runInputFor(policyCases: boolean): fc.Arbitrary<RunInput> {
  return fc.record({
    s: fc.scheduler(),
    syncLimit: fc.integer({ min: 1, max: 4 }),
    commands: fc.commands([commandArbitrary(policyCases)], { maxCommands: 40, size: "+1" }),
  });
}

export const runInput: fc.Arbitrary<RunInput> = runInputFor(true);

/** Opens the target for one run (a fresh engine in process, fresh users over HTTP). */
export type OpenTarget = (s: fc.Scheduler, syncLimit: number) => Promise<Target>;

function clausesOfVerdict(verdict: Verdict): string[] {
  const clauses = new Set<string>();
  if (verdict.lost.length > 0) for (const c of ["TD-11", "TD-19", "TD-21", "TD-54"]) clauses.add(c);
  if (verdict.duplicated.length > 0) for (const c of ["TD-11", "TD-39"]) clauses.add(c);
  if (verdict.unexpected.length > 0) for (const c of ["TD-11", "TD-50"]) clauses.add(c);
  if (verdict.reordered.length > 0) clauses.add("TD-20");
  return [...clauses];
}

/** Run one command sequence on a target and throw if the history breaks a guarantee. */
export async function runOnce(open: OpenTarget, input: RunInput, observations: Observation[] = []): Promise<World> {
  const target = await open(input.s, input.syncLimit);
  const world = await createWorld(target, input.s, target.accounts.reused ? `${freshNonce()}-` : "", observations);
  const model: Model = { chains: new Map() };
  await fc.asyncModelRun(() => ({ model, real: world }), input.commands);
  const verdict = await drainAndJudge(world, model);
  if (!verdict.ok) {
    const { lost, duplicated, unexpected, reordered } = verdict;
    throw new Violation(clausesOfVerdict(verdict), `history violates the guarantees: ${JSON.stringify({ lost, duplicated, unexpected, reordered })}`);
  }
  return world;
}

export function toDeviceProperty(open: OpenTarget): fc.IAsyncPropertyWithHooks<[RunInput]> {
  return fc.asyncProperty(runInput, async (input) => {
    await runOnce(open, input);
  });
}
