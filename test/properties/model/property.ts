/**
 * The send-to-device property, parametrised by the system under test so the broken variants can
 * be run through exactly the same check: random command sequences, then a drain of every live
 * device, then the history checker.
 */
import fc from "fast-check";
import { DeleteDeviceCommand, LoginCommand } from "./device.commands.ts";
import { ReplayCommand } from "./replay.command.ts";
import { type DeviceSpec, SendCommand, type SendSpec } from "./send.command.ts";
import { SyncCommand } from "./sync.command.ts";
import { createWorld, drainAndJudge, type Model, type System, type World } from "./world.ts";

const index = fc.nat({ max: 7 });

const deviceSpec: fc.Arbitrary<DeviceSpec> = fc.oneof(
  { arbitrary: fc.nat({ max: 2 }), weight: 4 },
  { arbitrary: fc.constant("*" as const), weight: 2 },
  { arbitrary: fc.constant("unknown" as const), weight: 1 },
);

const sendSpec: fc.Arbitrary<SendSpec> = fc.record({
  sender: index,
  eventType: fc.constantFrom("m.a" as const, "m.b" as const),
  txn: fc.nat({ max: 5 }),
  targets: fc.array(fc.record({ user: fc.nat({ max: 1 }), devices: fc.array(deviceSpec, { minLength: 1, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  invalidUser: weighted(1, 6),
  remote: fc.boolean(),
  oversize: weighted(1, 8),
  concurrent: weighted(1, 6),
  loseResponse: weighted(1, 6),
});

/** true with probability `yes / total`; shrinks towards false. */
function weighted(yes: number, total: number): fc.Arbitrary<boolean> {
  return fc.nat({ max: total - 1 }).map((n) => n >= total - yes);
}

export function commandArbitrary(): fc.Arbitrary<fc.AsyncCommand<Model, World>> {
  return fc.oneof(
    { arbitrary: sendSpec.map((spec) => new SendCommand(spec)), weight: 6 },
    { arbitrary: fc.tuple(index, weighted(1, 2)).map(([w, c]) => new ReplayCommand(w, c)), weight: 2 },
    {
      arbitrary: fc
        .tuple(index, fc.constantFrom("follow" as const, "follow" as const, "follow" as const, "lose" as const, "initial" as const))
        .map(([d, m]) => new SyncCommand(d, m)),
      weight: 8,
    },
    { arbitrary: index.map((d) => new DeleteDeviceCommand(d)), weight: 1 },
    { arbitrary: fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 2 })).map(([u, d]) => new LoginCommand(u, d)), weight: 1 },
  );
}

export interface RunInput {
  readonly s: fc.Scheduler;
  readonly syncLimit: number;
  readonly commands: Iterable<fc.AsyncCommand<Model, World>>;
}

export const runInput: fc.Arbitrary<RunInput> = fc.record({
  s: fc.scheduler(),
  syncLimit: fc.integer({ min: 1, max: 4 }),
  commands: fc.commands([commandArbitrary()], { maxCommands: 40, size: "+1" }),
});

/** Run one command sequence against `system` and throw if the history breaks a guarantee. */
export async function runOnce(system: System, input: RunInput): Promise<void> {
  const world = createWorld(system, input.s, { syncLimit: input.syncLimit });
  const model: Model = { chains: new Map() };
  await fc.asyncModelRun(() => ({ model, real: world }), input.commands);
  const verdict = await drainAndJudge(world, model, input.s);
  if (!verdict.ok) {
    const { lost, duplicated, unexpected, reordered } = verdict;
    throw new Error(`history violates the guarantees: ${JSON.stringify({ lost, duplicated, unexpected, reordered })}`);
  }
}

export function toDeviceProperty(system: System): fc.IAsyncPropertyWithHooks<[RunInput]> {
  return fc.asyncProperty(runInput, (input) => runOnce(system, input));
}
