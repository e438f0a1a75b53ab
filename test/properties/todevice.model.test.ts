// Property (TD-11, TD-20, TD-22, TD-38, TD-39, TD-50, TD-54): for any sequence of sends
// (explicit devices, `*`, unknown devices, invalid and remote users, oversized contents, lost
// answers), retransmissions (sequential and raced through fc.scheduler), floods past the per-sync
// limit, syncs (following next_batch, losing the answer and retrying the old since, restarting
// without since), device deletions and logins, every device that follows its own next_batch
// chain commits each acknowledged message addressed to it exactly once, in acceptance order,
// nothing else; retransmissions get the first answer; a 413 stores nothing. It runs through the
// conformance checker's driver interface (src/check/todevice/), the same code `courier check`
// runs over HTTP. Assumptions: one sync loop per device; a device re-created with a deleted
// device's id is a new device; default policies except a per-sync limit of 1 to 4.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { toDeviceProperty, runOnce } from "./model/property.ts";
import { ReplayCommand } from "./model/replay.command.ts";
import { SendCommand, type SendSpec } from "./model/send.command.ts";
import { SyncCommand } from "./model/sync.command.ts";
import { type Model, REFERENCE, type System, type World } from "./model/world.ts";
import { assertParams, PROPERTY_TIMEOUT_MS } from "./run-config.ts";
import { ackOnReturn, checkThenAct, dropPastLimit, partial413, reorderInbox, skipTxnDedupe } from "./variants.ts";

describe("send-to-device model-based property", () => {
  test("TD-11, TD-20, TD-39, TD-50: exactly-once, in order, idempotent, 413 stores nothing", async () => {
    await fc.assert(toDeviceProperty(REFERENCE), assertParams(1_000));
  }, PROPERTY_TIMEOUT_MS);
});

function send(spec: Partial<SendSpec> & Pick<SendSpec, "targets">): SendCommand {
  const defaults = { sender: 0, eventType: "m.a", txn: 0, invalidUser: false, remote: false, oversize: false, concurrent: false, loseResponse: false } as const;
  return new SendCommand({ ...defaults, ...spec });
}

const toU0D0 = [{ user: 0, devices: [0] }];
const toU0All = [{ user: 0, devices: ["*" as const] }];

/**
 * Counterexamples fast-check found (shrunk), each named after what it shows. The reference must
 * pass every one; the variant that produced it must still fail it, so none of them is vacuous.
 */
const regressions: readonly { name: string; syncLimit: number; commands: () => Iterable<fc.AsyncCommand<Model, World>>; breaks: System }[] = [
  {
    name: "TD-38: the same txnId with another body is answered, not delivered",
    syncLimit: 1,
    commands: () => [send({ targets: toU0D0 }), send({ targets: toU0All })],
    breaks: skipTxnDedupe,
  },
  {
    name: "TD-39: two identical sends in flight deliver once",
    syncLimit: 1,
    commands: () => [send({ targets: toU0D0, concurrent: true }), send({ targets: toU0All })],
    breaks: checkThenAct,
  },
  {
    name: "TD-21: a sync whose answer is lost does not acknowledge what it carried",
    syncLimit: 1,
    commands: () => [send({ targets: toU0All }), new SyncCommand(0, "lose"), send({ targets: toU0D0 })],
    breaks: ackOnReturn,
  },
  {
    name: "TD-20: a wildcard message after an explicit one comes after it",
    syncLimit: 2,
    commands: () => [send({ targets: toU0D0 }), send({ txn: 1, targets: toU0All })],
    breaks: reorderInbox,
  },
  {
    name: "TD-54: with limit 1, the second message is not skipped by next_batch",
    syncLimit: 1,
    commands: () => [send({ targets: [{ user: 1, devices: [0] }] }), send({ txn: 1, targets: [{ user: 1, devices: ["*"] }] }), new ReplayCommand(0, false)],
    breaks: dropPastLimit,
  },
  {
    name: "TD-50: a 413 stores nothing, not even the small contents, and its txnId stays free",
    syncLimit: 1,
    commands: () => [send({ targets: [{ user: 0, devices: [0, "unknown"] }], oversize: true }), send({ targets: toU0All })],
    breaks: partial413,
  },
];

describe("regressions", () => {
  const scheduler = () => fc.sample(fc.scheduler(), { numRuns: 1, seed: 1 })[0] as fc.Scheduler;
  for (const r of regressions) {
    test(r.name, async () => {
      const input = (commands: Iterable<fc.AsyncCommand<Model, World>>) => ({ s: scheduler(), syncLimit: r.syncLimit, commands });
      await runOnce(REFERENCE, input(r.commands()));
      await expect(runOnce(r.breaks, input(r.commands()))).rejects.toThrow();
    });
  }
});
