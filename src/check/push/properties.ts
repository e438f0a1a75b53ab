/**
 * The push properties a homeserver is checked against, with the recording gateway standing in
 * for the push gateway:
 *
 * - `push.notify-body`: one message, one notification whose body says what PUSH-51…59 require;
 * - `push.retry`: the gateway fails the first attempts (5xx, no answer, not JSON); every event
 *   still reaches it, in order, and each retry waits (PUSH-26, PUSH-27, PUSH-60): at least the
 *   minimum delay, and no shorter than the wait before it while failures continue;
 * - `push.rejected`: after a 2xx naming the pushkey in `rejected`, nothing more is sent for it
 *   and its pusher is gone (PUSH-29, PUSH-30); a `rejected` naming another pushkey removes
 *   nothing.
 */
import fc from "fast-check";
import { nextDelay } from "../../engine/push/backoff.ts";
import type { CheckProperty, RunContext } from "../runner.ts";
import { Violation } from "../violation.ts";
import { judgeNotification } from "./body.ts";
import type { ReceivedPush, ScriptedReply } from "./recorder.ts";
import { addPusher, allDelivered, awaitPushes, listedPushkeys, message, type PushTarget, pushRoom } from "./scenario.ts";

export interface PushCheckOptions {
  /** The shortest wait after a failed push the checker accepts as back-off. */
  readonly minBackoffMs: number;
}

/** Opens the target for one run; the runner's transcript goes to its driver. */
export type OpenPush = (context: RunContext) => Promise<PushTarget>;

const FAILURE: readonly ScriptedReply[] = ["5xx", "timeout", "not-json"];
const isFailure = (p: ReceivedPush) => FAILURE.includes(p.reply);

/** The time the reference would need for `failures` failed attempts, plus the target's slack. */
function budget(target: PushTarget, failures: number): number {
  let total = target.waitMs;
  for (let i = 1; i <= failures; i++) total += nextDelay(i) + target.recorder.hangMs;
  return total;
}

async function notifyBody(open: OpenPush, format: "full" | "event_id_only", context: RunContext): Promise<void> {
  const target = await open(context);
  const room = await pushRoom(target, context);
  const pusher = await addPusher(target, room, context, "k1", format === "full" ? undefined : format);
  const eventId = await message(target, room, context, 1);
  context.trace.step("wait for the notification");
  const arrived = await awaitPushes(target, pusher.pushkey, target.waitMs, (ps) => ps.some((p) => p.eventId === eventId));
  const push = target.recorder.pushesFor(pusher.pushkey).find((p) => p.eventId === eventId);
  if (!arrived || push === undefined) throw new Violation(["PUSH-2"], `no notification for ${eventId} reached the gateway within ${target.waitMs} ms`);
  const verdict = judgeNotification(push.body, { eventId, roomId: room.roomId, sender: room.alice.userId, pusher, format });
  context.observations.push({ step: `notify body (${format})`, seen: verdict.shape });
  context.trace.note(verdict.shape);
  if (verdict.problems.length > 0) {
    throw new Violation([...new Set(verdict.problems.map((p) => p.clause))], verdict.problems.map((p) => `${p.clause}: ${p.text}`).join("; "));
  }
}

export function notifyBodyProperty(open: OpenPush, reference?: OpenPush): CheckProperty<"full" | "event_id_only"> {
  return {
    id: "push.notify-body",
    suite: "push",
    title: "a notification's body carries the event, room, sender, device and data as the spec says",
    clauses: ["PUSH-6", "PUSH-7", "PUSH-8", "PUSH-12", "PUSH-19", "PUSH-20", "PUSH-21", "PUSH-22", "PUSH-46", "PUSH-51", "PUSH-52", "PUSH-59"],
    runs: 2,
    arbitrary: fc.constantFrom("full" as const, "event_id_only" as const),
    run: (format, context) => notifyBody(open, format, context),
    ...(reference === undefined ? {} : { reference: (format: "full" | "event_id_only", context: RunContext) => notifyBody(reference, format, context) }),
  };
}

export interface RetryInput {
  readonly messages: number;
  readonly failures: readonly ScriptedReply[];
}

/**
 * A wait to the nearest power of two seconds: timer jitter and a loaded machine move a real
 * server's 1 s by tens of milliseconds, never across this grid, so target and reference compare.
 */
function roughly(ms: number | null): string {
  if (ms === null) return "none";
  if (ms < 250) return "<0.25 s";
  return `${2 ** Math.round(Math.log2(ms / 1000))} s`;
}

/** Waits after each failed attempt, in milliseconds, in arrival order. */
export function retryDelays(pushes: readonly ReceivedPush[]): (number | null)[] {
  return pushes.flatMap((p, i) => (isFailure(p) ? [pushes[i + 1] === undefined ? null : (pushes[i + 1] as ReceivedPush).at - p.settledAt] : []));
}

function judgeRetry(pushes: readonly ReceivedPush[], eventIds: readonly string[], options: PushCheckOptions): void {
  const delays = retryDelays(pushes);
  if (delays.includes(null)) throw new Violation(["PUSH-26", "PUSH-60"], "a failed notification was never retried");
  const waits = delays as number[];
  waits.forEach((d, i) => {
    if (d < options.minBackoffMs) throw new Violation(["PUSH-27", "PUSH-60"], `retry ${i + 1} came ${d} ms after the failure; back-off waits at least ${options.minBackoffMs} ms`);
    const before = waits[i - 1];
    if (before !== undefined && d < before * 0.8) throw new Violation(["PUSH-60"], `retry ${i + 1} waited ${d} ms, less than the ${before} ms before it while failures continued`);
  });
  const delivered = pushes.filter((p) => p.reply === "ok").map((p) => p.eventId);
  const firsts = delivered.filter((id, i) => id !== null && delivered.indexOf(id) === i);
  const missing = eventIds.filter((id) => !firsts.includes(id));
  if (missing.length > 0) throw new Violation(["PUSH-2", "PUSH-26"], `events never delivered to the gateway: ${missing.join(", ")}`);
  const order = firsts.filter((id) => id !== null && eventIds.includes(id));
  if (order.join(" ") !== eventIds.join(" ")) throw new Violation(["PUSH-26"], `events reached the gateway in the order ${order.join(", ")}, not the order sent: ${eventIds.join(", ")}`);
}

async function retry(open: OpenPush, input: RetryInput, options: PushCheckOptions, context: RunContext): Promise<void> {
  const target = await open(context);
  const room = await pushRoom(target, context);
  const pusher = await addPusher(target, room, context, "k1");
  target.recorder.script(pusher.pushkey, input.failures);
  context.trace.note(`the gateway will answer the first attempts: ${input.failures.join(", ") || "(none fail)"}`);
  const eventIds: string[] = [];
  for (let n = 1; n <= input.messages; n++) eventIds.push(await message(target, room, context, n));
  context.trace.step("wait until every event has reached the gateway");
  await awaitPushes(target, pusher.pushkey, budget(target, input.failures.length), (ps) => allDelivered(ps, eventIds));
  const pushes = target.recorder.pushesFor(pusher.pushkey);
  for (const p of pushes) context.trace.note(`+${p.at - pusher.setAt} ms: attempt for ${p.eventId ?? "(badge)"} answered ${p.reply}`);
  context.observations.push({ step: `retry after ${input.failures.join(",") || "-"}`, seen: `waits ≈ ${retryDelays(pushes).map(roughly).join(", ") || "-"}` });
  judgeRetry(pushes, eventIds, options);
}

export function retryProperty(open: OpenPush, options: PushCheckOptions, reference?: OpenPush): CheckProperty<RetryInput> {
  return {
    id: "push.retry",
    suite: "push",
    title: "failed notifications are retried with back-off, every event arrives, in order",
    clauses: ["PUSH-2", "PUSH-26", "PUSH-27", "PUSH-60"],
    runs: 4,
    arbitrary: fc.record({
      messages: fc.integer({ min: 1, max: 3 }),
      failures: fc.array(fc.constantFrom<ScriptedReply>("5xx", "timeout", "not-json"), { minLength: 1, maxLength: 2 }),
    }),
    run: (input, context) => retry(open, input, options, context),
    ...(reference === undefined ? {} : { reference: (input: RetryInput, context: RunContext) => retry(reference, input, options, context) }),
  };
}

export interface RejectInput {
  readonly before: number;
  readonly otherRejected: boolean;
}

async function rejected(open: OpenPush, input: RejectInput, context: RunContext): Promise<void> {
  const target = await open(context);
  const room = await pushRoom(target, context);
  const victim = await addPusher(target, room, context, "k1");
  const control = await addPusher(target, room, context, "k2");
  target.recorder.script(victim.pushkey, [...Array.from({ length: input.before }, () => "ok" as const), "reject"]);
  if (input.otherRejected) target.recorder.script(control.pushkey, ["reject-other"]);
  const early: string[] = [];
  for (let n = 1; n <= input.before + 1; n++) early.push(await message(target, room, context, n));
  context.trace.step("wait for the rejection of k1 and the delivery to k2");
  await awaitPushes(target, victim.pushkey, target.waitMs, (ps) => ps.some((p) => p.reply === "reject"));
  await awaitPushes(target, control.pushkey, target.waitMs, (ps) => allDelivered(ps, early));
  const rejection = target.recorder.pushesFor(victim.pushkey).find((p) => p.reply === "reject");
  if (rejection === undefined) throw new Violation(["PUSH-2"], `k1 was never notified within ${target.waitMs} ms`);
  const late = [await message(target, room, context, input.before + 2), await message(target, room, context, input.before + 3)];
  context.trace.step("wait until k2 has the later events, then look at k1");
  await awaitPushes(target, control.pushkey, target.waitMs, (ps) => allDelivered(ps, late));
  await target.driver.clock.sleep(300);
  const after = target.recorder.pushesFor(victim.pushkey).filter((p) => p.at > rejection.settledAt);
  const listed = await listedPushkeys(target, room);
  context.observations.push({ step: `rejected after ${input.before}`, seen: `k1 pushes after: ${after.length}; listed: ${listed.includes(victim.pushkey)}; k2 listed: ${listed.includes(control.pushkey)}` });
  if (after.length > 0) throw new Violation(["PUSH-29"], `${after.length} notification(s) for k1 after the gateway rejected it (${after.map((p) => p.eventId).join(", ")})`);
  if (listed.includes(victim.pushkey)) throw new Violation(["PUSH-30"], "GET /pushers still lists the rejected pushkey k1");
  if (!listed.includes(control.pushkey)) {
    throw new Violation(["PUSH-28", "PUSH-30"], input.otherRejected ? "k2 was removed though `rejected` named another pushkey" : "k2 disappeared though nothing rejected it");
  }
}

export function rejectedProperty(open: OpenPush, reference?: OpenPush): CheckProperty<RejectInput> {
  return {
    id: "push.rejected",
    suite: "push",
    title: "a rejected pushkey gets nothing more and its pusher is removed; others are kept",
    clauses: ["PUSH-28", "PUSH-29", "PUSH-30", "PUSH-31"],
    runs: 4,
    arbitrary: fc.record({ before: fc.nat(2), otherRejected: fc.boolean() }),
    run: (input, context) => rejected(open, input, context),
    ...(reference === undefined ? {} : { reference: (input: RejectInput, context: RunContext) => rejected(reference, input, context) }),
  };
}
