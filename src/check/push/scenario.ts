/**
 * The moves every push scenario makes on a homeserver: two users (alice sends, bob is notified)
 * in a private room, pushers for bob that point at the checker's recording gateway, messages
 * from alice, and waits on the recorder. The same moves run on a target over HTTP (real time)
 * and on the in-process reference (virtual time), through the driver interface.
 */
import type { AccountSource } from "../accounts.ts";
import { freshNonce } from "../accounts.ts";
import { describeAnswer, fieldOf, type HomeserverDriver, type JsonObject, type Session } from "../driver.ts";
import type { RunContext } from "../runner.ts";
import { Violation } from "../violation.ts";
import type { ReceivedPush, RecordingGateway } from "./recorder.ts";

export const APP_ID = "org.courier.check";
export const CUSTOM_KEY = "org.courier.check.custom";

export interface PushTarget {
  readonly driver: HomeserverDriver;
  readonly accounts: AccountSource;
  readonly recorder: RecordingGateway;
  /** The notify URL pushers get: the recorder, as the server under test reaches it. */
  readonly notifyUrl: string;
  /** How long to wait for a push the server owes, beyond the reference's back-off delays. */
  readonly waitMs: number;
}

export interface PushRoom {
  readonly alice: Session;
  readonly bob: Session;
  readonly bobPassword: string | null;
  readonly roomId: string;
  readonly nonce: string;
}

export interface PusherSpec {
  readonly pushkey: string;
  readonly data: JsonObject;
  /** Clock time when the pusher was set (pushkey_ts must not be earlier, PUSH-21). */
  readonly setAt: number;
}

function expect200(answer: { status: number; body: unknown }, what: string, clauses: readonly string[] = []): void {
  if (answer.status !== 200) throw new Violation(clauses, `${what} answered ${describeAnswer(answer)}`);
}

/** alice creates a private room and invites bob, who joins. */
export async function pushRoom(target: PushTarget, context: RunContext): Promise<PushRoom> {
  context.trace.step("setup: alice and bob, a private room with both of them");
  const [a, b] = await target.accounts.obtain(target.driver, 2, ["P0"]);
  const alice = a?.sessions[0];
  const bob = b?.sessions[0];
  if (alice === undefined || bob === undefined || b === undefined) throw new Error("could not get two users");
  const created = await target.driver.createRoom(alice, { preset: "private_chat", invite: [bob.userId] });
  const roomId = fieldOf(created, "room_id");
  if (roomId === null) throw new Violation([], `createRoom answered ${describeAnswer(created)}`);
  expect200(await target.driver.join(bob, roomId), "bob's join");
  return { alice, bob, bobPassword: b.password, roomId, nonce: freshNonce() };
}

/** A pusher for bob at the recorder, with a custom data key (PUSH-46 says it must be forwarded). */
export async function addPusher(target: PushTarget, room: PushRoom, context: RunContext, name: string, format?: "event_id_only"): Promise<PusherSpec> {
  context.trace.step(`bob sets pusher ${name}${format === undefined ? "" : ` (format ${format})`}`);
  const pushkey = `chk-${room.nonce}-${name}`;
  const data: JsonObject = { url: target.notifyUrl, [CUSTOM_KEY]: room.nonce, ...(format === undefined ? {} : { format }) };
  const setAt = target.driver.clock.now();
  const body = { kind: "http", app_id: APP_ID, pushkey, app_display_name: "Courier check", device_display_name: "check", lang: "en", data };
  expect200(await target.driver.setPusher(room.bob, body), `setting pusher ${name}`, ["PUSH-34"]);
  return { pushkey, data, setAt };
}

/** alice sends message `n`; returns its event id. */
export async function message(target: PushTarget, room: PushRoom, context: RunContext, n: number): Promise<string> {
  context.trace.step(`alice sends message ${n}`);
  const answer = await target.driver.sendEvent(room.alice, room.roomId, "m.room.message", `chk-${room.nonce}-${n}`, { msgtype: "m.text", body: `check ${n}` });
  const eventId = fieldOf(answer, "event_id");
  if (eventId === null) throw new Violation([], `sending a message answered ${describeAnswer(answer)}`);
  return eventId;
}

/** Waits until `done(pushes for pushkey)` holds; says whether it did. */
export async function awaitPushes(target: PushTarget, pushkey: string, timeoutMs: number, done: (pushes: readonly ReceivedPush[]) => boolean): Promise<boolean> {
  return target.driver.clock.until(() => done(target.recorder.pushesFor(pushkey)), timeoutMs);
}

/** Whether every event id got an answered, accepted push (`ok` or `reject-other`). */
export function allDelivered(pushes: readonly ReceivedPush[], eventIds: readonly string[]): boolean {
  const delivered = new Set(pushes.filter((p) => p.reply === "ok" || p.reply === "reject-other").map((p) => p.eventId));
  return eventIds.every((id) => delivered.has(id));
}

/** The pushkeys `GET /pushers` lists for bob. */
export async function listedPushkeys(target: PushTarget, room: PushRoom): Promise<string[]> {
  const answer = await target.driver.getPushers(room.bob);
  const list = (answer.body as { pushers?: unknown } | null)?.pushers;
  if (answer.status !== 200 || !Array.isArray(list)) throw new Violation(["PUSH-33"], `GET /pushers answered ${describeAnswer(answer)}`);
  return list.map((p) => String((p as { pushkey?: unknown }).pushkey));
}
