/**
 * The checker's in-process homeserver driver: the same calls as the HTTP driver, turned into
 * engine commands and answered in the shape a client sees over HTTP (status, JSON body, Matrix
 * errors), so a scenario cannot tell the two apart except by their behaviour.
 *
 * It does not apply commands itself: `apply` does (an `EngineHost` on a virtual clock, or a test
 * harness that journals, races or deliberately breaks the engine). Fresh access tokens, device
 * ids and room seeds come from a counter, so a run is deterministic. `/sync` answers its to-device
 * part (`syncToDevice`); a long-poll waits on the clock until the host reports a wake-up for the
 * device.
 */
import type { Json } from "../../canonical-json.ts";
import type { Failure } from "../../engine/commands.ts";
import type { AnyOutcome, HomeserverCommand } from "../../engine/homeserver.ts";
import type { AccessToken, DeviceId, TxnId } from "../../ids.ts";
import type { Answer, Clock, HomeserverDriver, Messages, Session } from "../driver.ts";
import { Transcript } from "../transcript.ts";

export interface EngineDriverOptions {
  readonly label?: string;
  readonly serverName: string;
  readonly apply: (command: HomeserverCommand) => Promise<AnyOutcome>;
  readonly clock: Clock;
  readonly transcript?: Transcript;
  /** How many wake-ups a device has had; lets a long-poll wait for news. */
  readonly wakeCount?: (userId: string, deviceId: string) => number;
}

export interface EngineDriver extends HomeserverDriver {
  transcript: Transcript;
}

function isFailure(o: AnyOutcome): o is Failure {
  return o.ok === false && "error" in o;
}

/** An engine outcome as the HTTP shell would answer it. */
function answerOf(outcome: AnyOutcome, body: (o: AnyOutcome) => unknown = () => ({})): Answer {
  if (isFailure(outcome)) return { status: outcome.error.status, body: { errcode: outcome.error.errcode, error: outcome.error.message } };
  if (outcome.ok === false) return { status: outcome.status, body: { errcode: outcome.errcode, error: outcome.error } };
  return { status: 200, body: body(outcome) };
}

const bodyField = (o: AnyOutcome): unknown => ("body" in o ? o.body : {});

function sessionBody(serverName: string) {
  return (o: AnyOutcome): unknown =>
    "accessToken" in o ? { user_id: o.userId, access_token: o.accessToken, device_id: o.deviceId, home_server: serverName } : {};
}

export function engineDriver(options: EngineDriverOptions): EngineDriver {
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${(++counter).toString(36)}`;
  const token = (s: Session) => s.accessToken as AccessToken;
  const driver: EngineDriver = {
    label: options.label ?? "reference",
    serverName: options.serverName,
    clock: options.clock,
    transcript: options.transcript ?? new Transcript(),
    register: (r) =>
      run("POST", "/register", { username: r.username }, { type: "register", username: r.username, password: r.password, deviceId: (r.deviceId ?? fresh("DEV")) as DeviceId, accessToken: fresh("tok") as AccessToken }, sessionBody(options.serverName)),
    login: (r) =>
      run("POST", "/login", { user: r.user, device_id: r.deviceId }, { type: "login", user: r.user, password: r.password, deviceId: (r.deviceId ?? fresh("DEV")) as DeviceId, accessToken: fresh("tok") as AccessToken }, sessionBody(options.serverName)),
    logout: (s) => run("POST", "/logout", undefined, { type: "logout", token: token(s) }),
    sendToDevice: (s, eventType, txnId, messages: Messages) =>
      run("PUT", `/sendToDevice/${eventType}/${txnId}`, { messages }, { type: "sendToDevice", token: token(s), eventType, txnId: txnId as TxnId, body: { messages } as unknown as Json }),
    sync: (s, o = {}) => sync(s, o.since, o.timeoutMs ?? 0),
    deleteDevice: (s, deviceId) => run("DELETE", `/devices/${deviceId}`, undefined, { type: "deleteDevice", token: token(s), deviceId: deviceId as DeviceId }),
    setPusher: (s, body) => run("POST", "/pushers/set", body, { type: "setPusher", token: token(s), body }, bodyField),
    getPushers: (s) => run("GET", "/pushers", undefined, { type: "getPushers", token: token(s) }, bodyField),
    createRoom: (s, body) => run("POST", "/createRoom", body, { type: "createRoom", token: token(s), seed: fresh("r"), body }, bodyField),
    join: (s, roomId) => run("POST", `/rooms/${roomId}/join`, undefined, { type: "join", token: token(s), roomIdOrAlias: roomId, seed: fresh("j") }, bodyField),
    sendEvent: (s, roomId, eventType, txnId, content) =>
      run("PUT", `/rooms/${roomId}/send/${eventType}/${txnId}`, content, { type: "sendEvent", token: token(s), roomId, eventType, txnId: txnId as TxnId, content, seed: fresh("e") }, bodyField),
    setReceipt: (s, roomId, eventId) =>
      run("POST", `/rooms/${roomId}/receipt/m.read/${eventId}`, undefined, { type: "setReceipt", token: token(s), roomId, receiptType: "m.read", eventId }, bodyField),
    close: async () => {},
  };

  async function run(method: string, path: string, request: unknown, command: HomeserverCommand, body?: (o: AnyOutcome) => unknown): Promise<Answer> {
    const at = options.clock.now();
    const answer = answerOf(await options.apply(command), body);
    driver.transcript.record({ method, path, ...(request === undefined ? {} : { request }), status: answer.status, response: answer.body, at, ms: 0 });
    return answer;
  }

  async function sync(s: Session, since: string | undefined, timeoutMs: number): Promise<Answer> {
    const command = { type: "syncToDevice", token: token(s), ...(since === undefined ? {} : { since }) } as const;
    const path = `/sync${since === undefined ? "" : `?since=${since}`}`;
    const toBody = (o: AnyOutcome) => ("nextBatch" in o && "events" in o ? { next_batch: o.nextBatch, to_device: { events: o.events } } : {});
    const wakes = options.wakeCount;
    const before = wakes?.(s.userId, s.deviceId) ?? 0;
    const first = await run("GET", path, undefined, command, toBody);
    const events = (first.body as { to_device?: { events?: unknown[] } }).to_device?.events ?? [];
    if (first.status !== 200 || events.length > 0 || timeoutMs <= 0 || wakes === undefined) return first;
    // TD-55: a long-poll returns as soon as the device has something new.
    await options.clock.until(() => wakes(s.userId, s.deviceId) > before, timeoutMs);
    return run("GET", path, undefined, command, toBody);
  }

  return driver;
}
