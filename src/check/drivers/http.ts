/**
 * The checker's homeserver driver over HTTP: any homeserver, by base URL, through the
 * client-server API paths of api/ (v3). Every exchange is recorded in the run's transcript and
 * every answer checked against the generated response validators (see `http-exchange.ts`).
 *
 * `DELETE /devices/{id}` needs user-interactive auth on most servers: a 401 that lists flows is
 * answered once with `m.login.password` when the password is known.
 */
import { realClock } from "../clock.ts";
import { type Answer, type HomeserverDriver, type JsonObject, type LoginRequest, type Messages, type RegisterRequest, type Session, type SyncOptions, sessionOf } from "../driver.ts";
import { Transcript } from "../transcript.ts";
import { type ExchangeContext, type ExchangeRequest, exchange } from "./http-exchange.ts";

const CLIENT = "/_matrix/client/v3";

/** SyTest's filter for to-device syncs: no rooms, presence or account data to wade through. */
const TO_DEVICE_FILTER = JSON.stringify({ room: { rooms: [] }, presence: { types: [] }, account_data: { types: [] } });

const enc = encodeURIComponent;

export interface HttpDriver extends HomeserverDriver {
  readonly context: ExchangeContext;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `serverName` is learnt from the first user id the server hands out, unless given. */
export function httpDriver(baseUrl: string, transcript: Transcript = new Transcript(), serverName = ""): HttpDriver {
  let name = serverName;
  const learn = (answer: Answer): Answer => {
    const session = sessionOf(answer);
    if (name === "" && session !== null) name = serverNameOf(session.userId);
    return answer;
  };
  const context: ExchangeContext = { baseUrl: baseUrl.replace(/\/+$/, ""), transcript, now: () => Date.now() };
  const call = (request: ExchangeRequest) => exchange(context, request);
  const authed = (s: Session, operationId: string, method: string, path: string, body?: unknown): Promise<Answer> =>
    call({ operationId, method, path: CLIENT + path, token: s.accessToken, ...(body === undefined ? {} : { body }) });

  async function register(r: RegisterRequest): Promise<Answer> {
    const body = { username: r.username, password: r.password, ...(r.deviceId === undefined ? {} : { device_id: r.deviceId }) };
    const first = await call({ operationId: "register", method: "POST", path: `${CLIENT}/register`, body: { ...body, auth: { type: "m.login.dummy" } } });
    // Servers that insist on a UIA session first answer 401 with one: complete the dummy stage in it.
    if (first.status !== 401 || !isObject(first.body) || typeof first.body.session !== "string") return learn(first);
    const auth = { type: "m.login.dummy", session: first.body.session };
    return learn(await call({ operationId: "register", method: "POST", path: `${CLIENT}/register`, body: { ...body, auth } }));
  }

  async function login(r: LoginRequest): Promise<Answer> {
    const body = { type: "m.login.password", identifier: { type: "m.id.user", user: r.user }, password: r.password, ...(r.deviceId === undefined ? {} : { device_id: r.deviceId }) };
    return learn(await call({ operationId: "login", method: "POST", path: `${CLIENT}/login`, body }));
  }

  function sync(s: Session, options: SyncOptions = {}): Promise<Answer> {
    const timeoutMs = options.timeoutMs ?? 0;
    const query: Record<string, string> = { timeout: String(timeoutMs), filter: TO_DEVICE_FILTER };
    if (options.since !== undefined) query.since = options.since;
    return call({ operationId: "sync", method: "GET", path: `${CLIENT}/sync`, query, token: s.accessToken, timeoutMs: timeoutMs + 30_000 });
  }

  async function deleteDevice(s: Session, deviceId: string, password: string | null): Promise<Answer> {
    const path = `/devices/${enc(deviceId)}`;
    const first = await authed(s, "deleteDevice", "DELETE", path, {});
    if (first.status !== 401 || password === null || !isObject(first.body) || !Array.isArray(first.body.flows)) return first;
    const session = typeof first.body.session === "string" ? { session: first.body.session } : {};
    const auth = { type: "m.login.password", identifier: { type: "m.id.user", user: s.userId }, password, ...session };
    return authed(s, "deleteDevice", "DELETE", path, { auth });
  }

  return {
    label: context.baseUrl,
    get serverName() {
      return name;
    },
    clock: realClock,
    context,
    register,
    login,
    logout: (s) => authed(s, "logout", "POST", "/logout", {}),
    sendToDevice: (s: Session, eventType: string, txnId: string, messages: Messages) =>
      authed(s, "sendToDevice", "PUT", `/sendToDevice/${enc(eventType)}/${enc(txnId)}`, { messages }),
    sync,
    deleteDevice,
    setPusher: (s, body: JsonObject) => authed(s, "postPusher", "POST", "/pushers/set", body),
    getPushers: (s) => authed(s, "getPushers", "GET", "/pushers"),
    createRoom: (s, body) => authed(s, "createRoom", "POST", "/createRoom", body),
    join: (s, roomId) => authed(s, "joinRoomById", "POST", `/rooms/${enc(roomId)}/join`, {}),
    sendEvent: (s, roomId, eventType, txnId, content) => authed(s, "sendMessage", "PUT", `/rooms/${enc(roomId)}/send/${enc(eventType)}/${enc(txnId)}`, content),
    setReceipt: (s, roomId, eventId) => authed(s, "postReceipt", "POST", `/rooms/${enc(roomId)}/receipt/m.read/${enc(eventId)}`, {}),
    close: async () => {},
  };
}

/** The server part of a user id: everything after the first colon. */
export function serverNameOf(userId: string): string {
  const colon = userId.indexOf(":");
  return colon === -1 ? "" : userId.slice(colon + 1);
}
