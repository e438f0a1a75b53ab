/**
 * A small typed Matrix client for the HTTP suites: every call names its operationId, its path
 * comes from the generated route table, and every answer is checked against the generated
 * response validator for that operation and status. An answer whose status the API does not
 * document for the operation must still be a Matrix error (`MatrixError`), or the call throws.
 * No business rule lives here: the server under test decides, this only records and checks.
 */
import { definitions, operations, validators } from "../../models/index.ts";
import type { Validator } from "../../src/validation.ts";

type Operations = typeof validators;
export type OperationId = keyof Operations;

/** The body type of an operation's 200 answer, as generated from api/. */
export type OkBody<O extends OperationId> = Operations[O]["response"] extends { readonly "200": Validator<infer T> } ? T : never;

export interface ErrorBody {
  readonly errcode?: string;
  readonly error?: string;
  readonly [key: string]: unknown;
}

export type Answer<T> =
  | { readonly ok: true; readonly status: number; readonly body: T; readonly headers: Headers }
  | { readonly ok: false; readonly status: number; readonly body: ErrorBody; readonly headers: Headers };

/** A response body that does not match the API schema; always a test failure. */
export class SchemaViolation extends Error {}

export interface CallOptions {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly token?: string;
  /** Where the access token goes: the Authorization header (default) or the query string. */
  readonly tokenIn?: "header" | "query";
  /** Serve the client-server call under the legacy `/_matrix/client/r0` prefix. */
  readonly legacy?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** The request path of an operation, its `{name}` segments filled in and encoded. */
export function operationPath(operationId: OperationId, params: Readonly<Record<string, string>> = {}, legacy = false): { method: string; path: string } {
  const route = operations.find((o) => o.operationId === operationId);
  if (route === undefined) throw new Error(`no route for ${operationId}`);
  const base = legacy ? route.basePath.replace("/_matrix/client/v3", "/_matrix/client/r0") : route.basePath;
  const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${operationId}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
  return { method: route.method, path: base + path };
}

/** Checks a body against the validator for (operation, status); throws SchemaViolation if it does not fit. */
export function checkAnswer(operationId: OperationId | null, status: number, body: unknown): void {
  const byStatus = operationId === null ? undefined : (validators[operationId].response as Readonly<Record<string, Validator<unknown>>>)[String(status)];
  const validator = byStatus ?? (definitions.MatrixError as Validator<unknown>);
  const result = validator(body);
  if (!result.ok) {
    const which = byStatus === undefined ? `MatrixError (status ${status} is not documented for ${operationId ?? "this path"})` : `${operationId} ${status}`;
    throw new SchemaViolation(`answer does not match ${which}: ${JSON.stringify(result.errors.slice(0, 3))}; body ${JSON.stringify(body).slice(0, 400)}`);
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new SchemaViolation(`${res.status} answer is not JSON: ${text.slice(0, 200)}`);
  }
}

export async function callOperation<O extends OperationId>(baseUrl: string, operationId: O, options: CallOptions = {}): Promise<Answer<OkBody<O>>> {
  const { method, path } = operationPath(operationId, options.params, options.legacy);
  const query = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]));
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) {
    if (options.tokenIn === "query") query.set("access_token", options.token);
    else headers.Authorization = `Bearer ${options.token}`;
  }
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const search = query.toString();
  const res = await fetch(`${baseUrl}${path}${search === "" ? "" : `?${search}`}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const body = await readJson(res);
  checkAnswer(operationId, res.status, body);
  return res.ok
    ? { ok: true, status: res.status, body: body as OkBody<O>, headers: res.headers }
    : { ok: false, status: res.status, body: body as ErrorBody, headers: res.headers };
}

/** The body of a 2xx answer; anything else fails with the status and the Matrix error. */
export function must<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new Error(`expected 2xx, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The error of a non-2xx answer, for `expect(...).toMatchObject({status, errcode})`. */
export function failure(answer: Answer<unknown>): { status: number; errcode: string | undefined; error: string | undefined } {
  if (answer.ok) throw new Error(`expected an error, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return { status: answer.status, errcode: answer.body.errcode, error: answer.body.error };
}

export type Messages = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

export interface SyncOptions {
  readonly since?: string;
  readonly timeout?: number;
  readonly timeoutMs?: number;
}

/** One logged-in device: its user id, device id and access token on one homeserver. */
export class MatrixSession {
  constructor(
    readonly baseUrl: string,
    readonly userId: string,
    readonly deviceId: string,
    readonly accessToken: string,
  ) {}

  call<O extends OperationId>(operationId: O, options: Omit<CallOptions, "token"> = {}): Promise<Answer<OkBody<O>>> {
    return callOperation(this.baseUrl, operationId, { ...options, token: this.accessToken });
  }

  whoami() {
    return this.call("getTokenOwner");
  }
  devices() {
    return this.call("getDevices");
  }
  deleteDevice(deviceId: string) {
    return this.call("deleteDevice", { params: { deviceId }, body: {} });
  }
  logout() {
    return this.call("logout");
  }
  sync(options: SyncOptions = {}) {
    const query = { ...(options.since === undefined ? {} : { since: options.since }), ...(options.timeout === undefined ? {} : { timeout: options.timeout }) };
    return this.call("sync", { query, timeoutMs: options.timeoutMs ?? (options.timeout ?? 0) + 10_000 });
  }
  sendToDevice(eventType: string, txnId: string, messages: Messages) {
    return this.call("sendToDevice", { params: { eventType, txnId }, body: { messages } });
  }
  createRoom(body: Readonly<Record<string, unknown>> = {}) {
    return this.call("createRoom", { body });
  }
  invite(roomId: string, userId: string) {
    return this.call("inviteUser", { params: { roomId }, body: { user_id: userId } });
  }
  join(roomId: string) {
    return this.call("joinRoomById", { params: { roomId }, body: {} });
  }
  send(roomId: string, eventType: string, txnId: string, content: Readonly<Record<string, unknown>>) {
    return this.call("sendMessage", { params: { roomId, eventType, txnId }, body: content });
  }
  setState(roomId: string, eventType: string, stateKey: string, content: Readonly<Record<string, unknown>>) {
    return this.call("setRoomStateWithKey", { params: { roomId, eventType, stateKey }, body: content });
  }
  receipt(roomId: string, eventId: string) {
    return this.call("postReceipt", { params: { roomId, receiptType: "m.read", eventId }, body: {} });
  }
  setDisplayName(displayname: string) {
    return this.call("setDisplayName", { params: { userId: this.userId }, body: { displayname } });
  }
  setPusher(body: Readonly<Record<string, unknown>>) {
    return this.call("postPusher", { body });
  }
  pushers() {
    return this.call("getPushers");
  }
  pushRules() {
    return this.call("getPushRules");
  }
  setPushRule(kind: string, ruleId: string, body: Readonly<Record<string, unknown>>) {
    return this.call("setPushRule", { params: { kind, ruleId }, body });
  }
}

export interface RegisterOptions {
  readonly password?: string;
  readonly deviceId?: string;
  readonly displayName?: string;
}

/** Registers `username` with the dummy stage (DESIGN, "Processes, ports and commands"). */
export async function register(baseUrl: string, username: string, options: RegisterOptions = {}): Promise<MatrixSession> {
  const body = {
    username,
    password: options.password ?? "correct horse",
    auth: { type: "m.login.dummy" },
    ...(options.deviceId === undefined ? {} : { device_id: options.deviceId }),
    ...(options.displayName === undefined ? {} : { initial_device_display_name: options.displayName }),
  };
  const answer = must(await callOperation(baseUrl, "register", { body }));
  if (answer.access_token === undefined || answer.device_id === undefined) throw new Error("register answered without a login");
  return new MatrixSession(baseUrl, answer.user_id, answer.device_id, answer.access_token);
}

/** Logs in with a password, optionally naming the device id to reuse (TD-42). */
export async function login(baseUrl: string, user: string, options: { password?: string; deviceId?: string } = {}): Promise<MatrixSession> {
  const body = {
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password: options.password ?? "correct horse",
    ...(options.deviceId === undefined ? {} : { device_id: options.deviceId }),
  };
  const answer = must(await callOperation(baseUrl, "login", { body }));
  return new MatrixSession(baseUrl, answer.user_id, answer.device_id, answer.access_token);
}
