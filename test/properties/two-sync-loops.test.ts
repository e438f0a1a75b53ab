// A documented counterexample (MSC3885; element-ios#3817; matrix-spec-proposals#3721): two sync
// loops on one device sharing one stored sync token break exactly-once (TD-11), because the
// acknowledgement is implicit in the token (TD-21). These tests EXPECT the violation; the
// single-loop control shows the second loop is what causes it. Assumes the default policies.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { SyncResult } from "../../src/engine/commands.ts";
import { checkHistory, type RecordedSend } from "../checkers/history.ts";
import { TestServer } from "../engine/session.ts";
import { assertParams } from "./run-config.ts";

type Step = "send" | "fetchA" | "commitA" | "fetchB" | "commitB";

/**
 * One device, loops A and B. `fetch` syncs with the shared stored token and holds the answer;
 * `commit` processes the held events and stores the answer's next_batch as the shared token.
 */
function runLoops(steps: readonly Step[]) {
  const s = new TestServer();
  const alice = s.register("alice");
  const bob = s.register("bob");
  let shared: string | undefined;
  const held: Record<"A" | "B", SyncResult | null> = { A: null, B: null };
  const committed: string[][] = [];
  const sends: RecordedSend[] = [];
  const fetch = (loop: "A" | "B") => {
    held[loop] = s.syncOk(bob, shared);
  };
  const commit = (loop: "A" | "B") => {
    const response = held[loop];
    if (response === null) return;
    committed.push(response.events.map((e) => String(e.content.id)));
    shared = response.nextBatch;
    held[loop] = null;
  };
  for (const step of [...steps, "commitA", "commitB"] as const) {
    if (step === "send") {
      const id = `m${sends.length}`;
      s.send(alice, "m.x", id, { [bob.userId]: { [bob.deviceId]: { id } } });
      sends.push({ id, sender: "alice", recipients: ["bob"], outcome: "ok", order: sends.length });
    } else if (step === "fetchA" || step === "fetchB") fetch(step === "fetchA" ? "A" : "B");
    else commit(step === "commitA" ? "A" : "B");
  }
  // Drain as one loop, so anything still pending is counted.
  for (let r = s.syncOk(bob, shared); ; r = s.syncOk(bob, shared)) {
    committed.push(r.events.map((e) => String(e.content.id)));
    if (r.events.length === 0) break;
    shared = r.nextBatch;
  }
  return checkHistory({ sends, chains: new Map([["bob", committed]]) });
}

describe("MSC3885: two sync loops sharing one token", () => {
  test("TD-11 violated: both loops fetch with the same token and both process m0 (duplicate)", () => {
    const verdict = runLoops(["send", "fetchA", "fetchB", "commitA", "commitB"]);
    expect(verdict.duplicated).toEqual([{ device: "bob", id: "m0", count: 2 }]);
  });

  test("TD-11 violated: B acknowledges with A's token what A fetched but has not processed (loss)", () => {
    // A stores its token before processing (as the element-ios app did) and is then killed:
    // modelled as A's commit happening with the events dropped. B's sync with that token
    // deletes m0 on the server.
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    s.send(alice, "m.x", "1", { [bob.userId]: { [bob.deviceId]: { id: "m0" } } });
    const fetchedByA = s.syncOk(bob);
    const shared = fetchedByA.nextBatch; // A persists the token, then dies before processing
    const seenByB = s.syncOk(bob, shared);
    const afterwards = s.syncOk(bob, seenByB.nextBatch);
    const verdict = checkHistory({
      sends: [{ id: "m0", sender: "alice", recipients: ["bob"], outcome: "ok", order: 0 }],
      chains: new Map([["bob", [seenByB.events, afterwards.events].map((r) => r.map((e) => String(e.content.id)))]]),
    });
    expect(verdict.lost).toEqual([{ device: "bob", id: "m0" }]);
  });

  test("fast-check finds the violation among interleavings of the two loops", () => {
    const steps = fc.array(fc.constantFrom<Step>("send", "fetchA", "commitA", "fetchB", "commitB"), { maxLength: 12 });
    const result = fc.check(
      fc.property(steps, (s) => runLoops(s).ok),
      { numRuns: 1_000, seed: 3885 },
    );
    expect(result.failed).toBe(true);
    expect(result.counterexample).not.toBeNull();
  });

  test("control: with loop A alone, every interleaving keeps exactly-once", () => {
    const steps = fc.array(fc.constantFrom<Step>("send", "fetchA", "commitA"), { maxLength: 12 });
    fc.assert(fc.property(steps, (s) => runLoops(s).ok), assertParams(1_000));
  });
});
