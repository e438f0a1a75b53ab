/**
 * Send-to-device across two homeservers: a user on each, two devices each; messages go from one
 * server's user to the other's devices (explicit ids, or `*` alone, which travels unexpanded and
 * the receiver expands, FED-6, FED-7); devices sync along their own chains; with a federation
 * tap, transactions already answered are replayed verbatim. At the end every device long-polls
 * until it has everything it is owed or the delivery budget runs out, and the history checker
 * judges: every acknowledged message committed exactly once (TD-11, TD-24, FED-16, FED-18,
 * FED-21), in the order the origin accepted it (FED-20), as sent (TD-31…TD-33).
 *
 * Each device receives from one origin only, so the origin's acceptance order is the order to
 * check, whatever the network does.
 */
import fc from "fast-check";
import type { AccountSource } from "../accounts.ts";
import { type Answer, describeAnswer, type HomeserverDriver, type Session, toDeviceOf } from "../driver.ts";
import { checkHistory, type RecordedSend } from "../history.ts";
import type { RunContext } from "../runner.ts";
import { commitHeld, type DeviceLoop, type Model } from "../todevice/world.ts";
import { Violation } from "../violation.ts";

export interface FederationTarget {
  readonly servers: readonly [HomeserverDriver, HomeserverDriver];
  readonly accounts: readonly [AccountSource, AccountSource];
  /** Sends the latest transaction from the first server to the second again; null without a tap. */
  readonly replay: (() => Promise<Answer | null>) | null;
  /** How long a message may take to arrive once sending stops (liveness budget). */
  readonly deliveryWaitMs: number;
  /** Lets work that is due happen after each action (the reference's virtual network). */
  readonly settle?: () => Promise<void>;
}

export type FederationAction =
  | { readonly kind: "send"; readonly from: 0 | 1; readonly device: number; readonly to: readonly ("*" | 0 | 1)[] }
  | { readonly kind: "sync"; readonly server: 0 | 1; readonly device: number }
  | { readonly kind: "replay" };

const server = fc.constantFrom<0 | 1>(0, 1);
const targets = fc.oneof(fc.constant(["*"] as const), fc.uniqueArray(fc.constantFrom<0 | 1>(0, 1), { minLength: 1, maxLength: 2 }));

export const federationActions: fc.Arbitrary<FederationAction[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("send" as const), from: server, device: fc.nat(1), to: targets }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("sync" as const), server, device: fc.nat(1) }) },
    { weight: 1, arbitrary: fc.constant({ kind: "replay" as const }) },
  ),
  { minLength: 1, maxLength: 12 },
);

const DEVICES = ["D0", "D1"] as const;

interface Run {
  readonly target: FederationTarget;
  readonly context: RunContext;
  readonly loops: readonly (readonly DeviceLoop[])[];
  readonly sends: RecordedSend[];
  readonly shapes: Map<string, string>;
  readonly model: Model;
  next: number;
}

const sessionOf = (l: DeviceLoop): Session => ({ userId: l.userId, deviceId: l.deviceId, accessToken: l.token });

async function syncOnce(run: Run, server: 0 | 1, loop: DeviceLoop, timeoutMs: number): Promise<string[]> {
  commitHeld(run.model, loop);
  const driver = run.target.servers[server];
  const answer = await driver.sync(sessionOf(loop), { ...(loop.since === undefined ? {} : { since: loop.since }), timeoutMs });
  const out = toDeviceOf(answer);
  if (out === null) throw new Violation(["TD-17"], `sync of ${loop.key} failed: ${describeAnswer(answer)}`);
  const ids = out.events.map((e) => {
    const id = String(e.content.id);
    const sender = run.shapes.get(id);
    if (sender !== undefined && (e.sender !== sender || e.type !== "m.fed")) {
      throw new Violation(["TD-32", "TD-33", "FED-4"], `event ${JSON.stringify(e)} arrived with the wrong sender or type (sent by ${sender} as m.fed)`);
    }
    return id;
  });
  loop.held = { nextBatch: out.nextBatch, ids };
  return ids;
}

async function send(run: Run, action: Extract<FederationAction, { kind: "send" }>): Promise<void> {
  const from = run.loops[action.from]?.[action.device % 2];
  const recipients = run.loops[1 - action.from] ?? [];
  const user = recipients[0]?.userId;
  if (from === undefined || user === undefined) return;
  const byDevice: Record<string, { id: string }> = {};
  const plan: [string, string[]][] = [];
  for (const t of action.to) {
    const id = `f${run.next++}`;
    const name = t === "*" ? "*" : DEVICES[t];
    byDevice[name] = { id };
    run.shapes.set(id, from.userId);
    plan.push([id, recipients.filter((l) => t === "*" || l.deviceId === name).map((l) => l.key)]);
  }
  const answer = await run.target.servers[action.from].sendToDevice(sessionOf(from), "m.fed", `fed${run.next++}`, { [user]: byDevice });
  run.context.observations.push({ step: `send ${action.from}→${1 - action.from} ${action.to.join(",")}`, seen: String(answer.status) });
  if (answer.status !== 200) throw new Violation(["TD-9", "TD-24"], `a send to a remote user answered ${describeAnswer(answer)}`);
  const order = run.sends.length;
  for (const [id, to] of plan) run.sends.push({ id, sender: from.key, recipients: to, outcome: "ok", order });
}

async function act(run: Run, action: FederationAction): Promise<void> {
  run.context.trace.step(JSON.stringify(action));
  if (action.kind === "send") return send(run, action);
  if (action.kind === "sync") {
    const loop = run.loops[action.server]?.[action.device % 2];
    if (loop === undefined) return;
    // What a sync sees mid-run depends on network timing, so it is not an observation.
    await syncOnce(run, action.server, loop, 0);
    return;
  }
  if (run.target.replay === null) return;
  const answer = await run.target.replay();
  if (answer === null) return run.context.trace.note("no transaction has been sent yet");
  // Which transaction is the latest depends on network timing, so the replay is not an observation.
  if (answer.status !== 200) throw new Violation(["FED-16"], `a retransmitted transaction was answered ${describeAnswer(answer)}, not 200`);
}

/** Long-polls every device until it has committed all it is owed, or the budget is spent. */
async function drain(run: Run): Promise<void> {
  run.context.trace.step(`drain: every device syncs until it has all it is owed (at most ${run.target.deliveryWaitMs} ms)`);
  const clock = run.target.servers[0].clock;
  const deadline = clock.now() + run.target.deliveryWaitMs;
  for (const [server, loops] of run.loops.entries()) {
    for (const loop of loops) {
      const owed = new Set(run.sends.filter((s) => s.recipients.includes(loop.key)).map((s) => s.id));
      const seen = new Set((run.model.chains.get(loop.key) ?? []).flat());
      for (const id of loop.held?.ids ?? []) seen.add(id);
      for (;;) {
        const remaining = deadline - clock.now();
        const missing = [...owed].some((id) => !seen.has(id));
        const ids = await syncOnce(run, server as 0 | 1, loop, missing && remaining > 0 ? Math.min(remaining, 2_000) : 0);
        for (const id of ids) seen.add(id);
        if (ids.length === 0 && (!missing || remaining <= 0)) break;
      }
      commitHeld(run.model, loop);
    }
  }
}

export async function runFederation(target: FederationTarget, actions: readonly FederationAction[], context: RunContext): Promise<void> {
  context.trace.step("setup: a user with devices D0 and D1 on each server");
  const loops: DeviceLoop[][] = [];
  for (const i of [0, 1] as const) {
    const [account] = await target.accounts[i].obtain(target.servers[i], 1, DEVICES);
    if (account === undefined) throw new Error(`no user on server ${i + 1}`);
    loops.push(account.sessions.map((s) => ({ key: `${s.userId}|${s.deviceId}`, userId: s.userId, deviceId: s.deviceId, token: s.accessToken, since: undefined, held: null })));
  }
  const run: Run = { target, context, loops, sends: [], shapes: new Map(), model: { chains: new Map() }, next: 0 };
  for (const action of actions) {
    await act(run, action);
    await target.settle?.();
  }
  await drain(run);
  for (const [server, list] of run.loops.entries()) {
    for (const loop of list) run.context.observations.push({ step: `committed by ${server}/${loop.deviceId}`, seen: (run.model.chains.get(loop.key) ?? []).flat().join(",") || "-" });
  }
  const verdict = checkHistory({ sends: run.sends, chains: run.model.chains });
  context.observations.push({ step: "verdict", seen: verdict.ok ? "ok" : "violation" });
  if (!verdict.ok) {
    const { lost, duplicated, unexpected, reordered } = verdict;
    const clauses = [...(lost.length > 0 ? ["TD-24", "FED-21"] : []), ...(duplicated.length > 0 ? ["FED-16", "FED-18"] : []), ...(reordered.length > 0 ? ["FED-20"] : []), ...(unexpected.length > 0 ? ["TD-11"] : [])];
    throw new Violation(clauses, `history across servers violates the guarantees: ${JSON.stringify({ lost, duplicated, unexpected, reordered })}`);
  }
}
