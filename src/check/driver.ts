/**
 * The scenario language of the conformance checker talks to a homeserver through this interface
 * only, so one scenario runs unchanged on the in-process reference (`drivers/engine.ts`, the
 * engine stepped on a virtual clock) and on any homeserver over HTTP (`drivers/http.ts`).
 *
 * Every answer is what a client sees on the wire: an HTTP status and the parsed JSON body, with
 * Matrix errors as `{errcode, error}`. The in-process driver produces the same shape, so the two
 * can be compared answer by answer (`--compare-with reference`).
 *
 * Time is part of the driver: the in-process driver's clock is virtual (sleeping advances it and
 * fires the engine's timers at once), the HTTP driver's is the wall clock.
 */
import type { Json } from "../canonical-json.ts";

export type JsonObject = { readonly [key: string]: Json };

export interface Answer {
  readonly status: number;
  /** The parsed JSON body; the raw text when it was not JSON; null when there was none. */
  readonly body: unknown;
}

export interface Session {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

/** user id → device id (or `*`) → content: the `messages` of a `/sendToDevice` body. */
export type Messages = Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Waits until `done()` holds or `timeoutMs` passed; says which. */
  until(done: () => boolean, timeoutMs: number): Promise<boolean>;
}

export interface RegisterRequest {
  readonly username: string;
  readonly password: string;
  readonly deviceId?: string;
}

export interface LoginRequest {
  /** A full user id. */
  readonly user: string;
  readonly password: string;
  readonly deviceId?: string;
}

export interface SyncOptions {
  readonly since?: string;
  readonly timeoutMs?: number;
}

export interface HomeserverDriver {
  /** `reference` for the in-process engine, the base URL otherwise. */
  readonly label: string;
  readonly serverName: string;
  readonly clock: Clock;
  /** `POST /register` with `m.login.dummy` (open registration). */
  register(request: RegisterRequest): Promise<Answer>;
  login(request: LoginRequest): Promise<Answer>;
  logout(session: Session): Promise<Answer>;
  sendToDevice(session: Session, eventType: string, txnId: string, messages: Messages): Promise<Answer>;
  sync(session: Session, options?: SyncOptions): Promise<Answer>;
  /** `DELETE /devices/{id}`, answering user-interactive auth with the password when asked. */
  deleteDevice(session: Session, deviceId: string, password: string | null): Promise<Answer>;
  setPusher(session: Session, body: JsonObject): Promise<Answer>;
  getPushers(session: Session): Promise<Answer>;
  createRoom(session: Session, body: JsonObject): Promise<Answer>;
  join(session: Session, roomId: string): Promise<Answer>;
  sendEvent(session: Session, roomId: string, eventType: string, txnId: string, content: JsonObject): Promise<Answer>;
  setReceipt(session: Session, roomId: string, eventId: string): Promise<Answer>;
  close(): Promise<void>;
}

export interface ToDeviceEventSeen {
  readonly sender: string;
  readonly type: string;
  readonly content: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The session a 200 from `/register` or `/login` gives, or null. */
export function sessionOf(answer: Answer): Session | null {
  const b = answer.body;
  if (answer.status !== 200 || !isObject(b)) return null;
  const { user_id, device_id, access_token } = b;
  if (typeof user_id !== "string" || typeof device_id !== "string" || typeof access_token !== "string") return null;
  return { userId: user_id, deviceId: device_id, accessToken: access_token };
}

/** `next_batch` and `to_device.events` of a 200 from `/sync` (TD-29: `to_device` may be absent). */
export function toDeviceOf(answer: Answer): { readonly nextBatch: string; readonly events: ToDeviceEventSeen[] } | null {
  const b = answer.body;
  if (answer.status !== 200 || !isObject(b) || typeof b.next_batch !== "string") return null;
  const section = b.to_device;
  const list = isObject(section) && Array.isArray(section.events) ? section.events : [];
  const events = list.filter(isObject).map((e) => ({
    sender: String(e.sender),
    type: String(e.type),
    content: isObject(e.content) ? e.content : {},
  }));
  return { nextBatch: b.next_batch, events };
}

export function errcodeOf(answer: Answer): string | null {
  return isObject(answer.body) && typeof answer.body.errcode === "string" ? answer.body.errcode : null;
}

/** A string field of a 200 answer's body (`room_id`, `event_id`), or null. */
export function fieldOf(answer: Answer, name: string): string | null {
  if (answer.status !== 200 || !isObject(answer.body)) return null;
  const v = answer.body[name];
  return typeof v === "string" ? v : null;
}

/** One line: status and body, cut to `max` characters. */
export function describeAnswer(answer: Answer, max = 240): string {
  const text = typeof answer.body === "string" ? JSON.stringify(answer.body) : JSON.stringify(answer.body ?? null);
  return `${answer.status} ${text.length > max ? `${text.slice(0, max)}…` : text}`;
}
