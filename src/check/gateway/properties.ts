/**
 * The push gateway properties (`/_matrix/push/v1/notify` as receiver):
 *
 * - `gateway.validation`: malformed requests are refused with 400 (GW-13), an unknown path with
 *   404 and a wrong method with 405, both `M_UNRECOGNIZED` (GW-15, GW-16), every error as a
 *   Matrix error object (`{errcode, error}`), not text;
 * - `gateway.rejected`: a request mixing devices of an unknown app id with devices of a served one
 *   is answered 200 with `rejected` (GW-14) naming exactly the unknown app's pushkeys (GW-6,
 *   GW-21): one bad device never fails or taints the others (GW-22);
 * - `gateway.dedupe`: the same event notification sent several times (a homeserver retrying)
 *   gets the same answer each time and reaches the provider once per pushkey (GW-17).
 */
import fc from "fast-check";
import { type Answer, describeAnswer, errcodeOf } from "../driver.ts";
import { exchange } from "../drivers/http-exchange.ts";
import type { CheckProperty, RunContext } from "../runner.ts";
import { Violation } from "../violation.ts";
import { type GatewayTarget, NOTIFY_PATH, notify } from "./target.ts";

type Open = (context: RunContext) => Promise<GatewayTarget>;

let counter = 0;
const fresh = (what: string) => `chk${Date.now().toString(36)}${(counter++).toString(36)}-${what}`;

export type Malformed = "not-json" | "no-notification" | "no-devices" | "devices-not-a-list" | "no-pushkey" | "no-app-id" | "unknown-path" | "wrong-method";
const MALFORMED: readonly Malformed[] = ["not-json", "no-notification", "no-devices", "devices-not-a-list", "no-pushkey", "no-app-id", "unknown-path", "wrong-method"];

function malformedRequest(target: GatewayTarget, kind: Malformed): Promise<Answer> {
  const device = { app_id: target.appId, pushkey: fresh("k") };
  const post = (body: unknown) => notify(target, body);
  switch (kind) {
    case "not-json":
      return exchange(target.context, { operationId: "notify", method: "POST", path: NOTIFY_PATH, rawBody: "{not json" });
    case "no-notification":
      return post({});
    case "no-devices":
      return post({ notification: { event_id: "$e" } });
    case "devices-not-a-list":
      return post({ notification: { devices: device } });
    case "no-pushkey":
      return post({ notification: { devices: [{ app_id: target.appId }] } });
    case "no-app-id":
      return post({ notification: { devices: [{ pushkey: device.pushkey }] } });
    case "unknown-path":
      return exchange(target.context, { operationId: null, method: "POST", path: "/_matrix/push/v1/no-such-endpoint", body: {} });
    case "wrong-method":
      return exchange(target.context, { operationId: null, method: "PUT", path: NOTIFY_PATH, body: {} });
  }
}

function expectedStatus(kind: Malformed): { status: number; clause: string; errcode?: string } {
  if (kind === "unknown-path") return { status: 404, clause: "GW-15", errcode: "M_UNRECOGNIZED" };
  if (kind === "wrong-method") return { status: 405, clause: "GW-16", errcode: "M_UNRECOGNIZED" };
  return { status: 400, clause: "GW-13" };
}

async function validation(open: Open, kinds: readonly Malformed[], context: RunContext): Promise<void> {
  const target = await open(context);
  for (const kind of kinds) {
    context.trace.step(`a malformed request: ${kind}`);
    const answer = await malformedRequest(target, kind);
    const expected = expectedStatus(kind);
    const errcode = errcodeOf(answer);
    context.observations.push({ step: kind, seen: `${answer.status} ${errcode ?? "(no errcode)"}` });
    if (answer.status !== expected.status) throw new Violation([expected.clause], `${kind}: answered ${describeAnswer(answer)}, expected ${expected.status}`);
    if (errcode === null || !errcode.startsWith("M_")) throw new Violation([expected.clause], `${kind}: the ${answer.status} is not a Matrix error object: ${describeAnswer(answer)}`);
    if (expected.errcode !== undefined && errcode !== expected.errcode) throw new Violation([expected.clause], `${kind}: errcode ${errcode}, expected ${expected.errcode}`);
  }
}

export function validationProperty(open: Open, reference?: Open): CheckProperty<readonly Malformed[]> {
  return {
    id: "gateway.validation",
    suite: "gateway",
    title: "malformed requests get 400, unknown paths 404 and wrong methods 405, as Matrix errors",
    clauses: ["GW-13", "GW-15", "GW-16"],
    runs: 5,
    arbitrary: fc.shuffledSubarray([...MALFORMED], { minLength: 1 }),
    run: (kinds, context) => validation(open, kinds, context),
    ...(reference === undefined ? {} : { reference: (kinds: readonly Malformed[], context: RunContext) => validation(reference, kinds, context) }),
  };
}

export interface MixInput {
  readonly devices: readonly ("served" | "unknown-app")[];
  readonly eventOnly: boolean;
}

async function mixed(open: Open, input: MixInput, context: RunContext): Promise<void> {
  const target = await open(context);
  context.trace.step(`one notification for devices: ${input.devices.join(", ")}`);
  const devices = input.devices.map((kind, i) => ({ kind, app_id: kind === "served" ? target.appId : `org.courier.check.unknown.${i}`, pushkey: fresh(`k${i}`) }));
  const notification = {
    event_id: `$${fresh("e")}`,
    room_id: "!room:check.test",
    ...(input.eventOnly ? {} : { type: "m.room.message", sender: "@alice:check.test", content: { msgtype: "m.text", body: "hi" } }),
    counts: { unread: 1 },
    devices: devices.map(({ app_id, pushkey }) => ({ app_id, pushkey, pushkey_ts: Math.floor(Date.now() / 1000), data: {} })),
  };
  const answer = await notify(target, { notification });
  const rejected = (answer.body as { rejected?: unknown } | null)?.rejected;
  context.observations.push({ step: input.devices.join(","), seen: `${answer.status} rejects ${Array.isArray(rejected) ? devices.filter((d) => rejected.includes(d.pushkey)).map((d) => d.kind).join(",") || "none" : "?"}` });
  if (answer.status !== 200) throw new Violation(["GW-4", "GW-22"], `a request with ${input.devices.join(", ")} devices answered ${describeAnswer(answer)}, not 200`);
  if (!Array.isArray(rejected) || !rejected.every((k) => typeof k === "string")) throw new Violation(["GW-14"], `the 200 has no list of pushkeys in rejected: ${describeAnswer(answer)}`);
  for (const d of devices) {
    const isRejected = rejected.includes(d.pushkey);
    if (d.kind === "unknown-app" && !isRejected) throw new Violation(["GW-21"], `pushkey ${d.pushkey} of an unknown app id was not rejected`);
    if (d.kind === "served" && isRejected) throw new Violation(["GW-6", "GW-22"], `pushkey ${d.pushkey} of the served app ${target.appId} was rejected beside another device`);
  }
  const strangers = rejected.filter((k) => !devices.some((d) => d.pushkey === k));
  if (strangers.length > 0) throw new Violation(["GW-6"], `rejected names pushkeys that were not in the request: ${strangers.join(", ")}`);
}

export function rejectedProperty(open: Open, reference?: Open): CheckProperty<MixInput> {
  return {
    id: "gateway.rejected",
    suite: "gateway",
    title: "unknown app ids are rejected, per device, without failing the request or the other devices",
    clauses: ["GW-6", "GW-14", "GW-21", "GW-22"],
    runs: 10,
    arbitrary: fc.record({ devices: fc.array(fc.constantFrom<"served" | "unknown-app">("served", "unknown-app"), { minLength: 1, maxLength: 4 }), eventOnly: fc.boolean() }),
    run: (input, context) => mixed(open, input, context),
    ...(reference === undefined ? {} : { reference: (input: MixInput, context: RunContext) => mixed(reference, input, context) }),
  };
}

async function pollUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export interface DedupeInput {
  readonly copies: number;
  readonly devices: number;
}

async function dedupe(open: Open, input: DedupeInput, context: RunContext): Promise<void> {
  const target = await open(context);
  const count = target.deliveries;
  if (count === null) throw new Error("gateway.dedupe needs a way to see provider deliveries");
  const eventId = `$${fresh("e")}`;
  const devices = Array.from({ length: input.devices }, (_, i) => ({ app_id: target.appId, pushkey: fresh(`k${i}`), pushkey_ts: Math.floor(Date.now() / 1000) }));
  const body = { notification: { event_id: eventId, room_id: "!room:check.test", counts: { unread: 1 }, devices } };
  const answers: Answer[] = [];
  for (let i = 0; i < input.copies; i++) {
    context.trace.step(`the homeserver sends event ${eventId} (copy ${i + 1} of ${input.copies})`);
    answers.push(await notify(target, body));
  }
  const first = answers[0] as Answer;
  if (answers.some((a) => a.status !== first.status || JSON.stringify(a.body) !== JSON.stringify(first.body))) {
    throw new Violation(["GW-17"], `copies of one notification got different answers: ${answers.map((a) => describeAnswer(a)).join(" / ")}`);
  }
  context.trace.step("count what reached the provider");
  // Providers are called after the answer (GW-10): give the deliveries a moment to show.
  await pollUntil(async () => (await Promise.all(devices.map((d) => count(d.pushkey, eventId)))).every((n) => n >= 1), 3_000);
  await new Promise((r) => setTimeout(r, 300));
  const counts = await Promise.all(devices.map((d) => count(d.pushkey, eventId)));
  context.observations.push({ step: `${input.copies} copies`, seen: `deliveries per pushkey: ${counts.join(",")}` });
  counts.forEach((n, i) => {
    if (n !== 1) throw new Violation(["GW-17"], `event ${eventId} reached the provider ${n} times for pushkey ${devices[i]?.pushkey} after ${input.copies} identical requests`);
  });
}

export function dedupeProperty(open: Open, reference?: Open): CheckProperty<DedupeInput> {
  return {
    id: "gateway.dedupe",
    suite: "gateway",
    title: "an event notification sent again reaches the provider once per pushkey",
    clauses: ["GW-17"],
    runs: 4,
    arbitrary: fc.record({ copies: fc.integer({ min: 2, max: 3 }), devices: fc.integer({ min: 1, max: 2 }) }),
    run: (input, context) => dedupe(open, input, context),
    ...(reference === undefined ? {} : { reference: (input: DedupeInput, context: RunContext) => dedupe(reference, input, context) }),
  };
}
