/**
 * The client-server API of the homeserver process: one handler per operationId of api/, each
 * turning a checked request into an engine command and the engine's outcome into a response.
 * Fresh ids (access tokens, device ids, seeds for room and event ids) are made here, at the
 * edge, and travel in the command so the journal replays the same values.
 */
import { randomBytes } from "node:crypto";
import type { Json } from "../canonical-json.ts";
import type { Failure } from "../engine/commands.ts";
import type { HomeserverCommand } from "../engine/homeserver.ts";
import type { JsonObject } from "../engine/effects.ts";
import type { Handler, HandlerInput, ShellResponse } from "../http/app.ts";
import { MatrixHttpError } from "../http/matrix-error.ts";
import { type AccessToken, type DeviceId, localpartOf, parseUserId, type TxnId, type UserId } from "../ids.ts";
import type { HomeserverRuntime } from "./runtime.ts";
import { syncBody, syncHasNews } from "./sync-body.ts";

export const SUPPORTED_VERSIONS = ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12"];

const MAX_SYNC_TIMEOUT_MS = 60_000;

export function freshToken(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString("base64url")}`;
}

export function freshDeviceId(): DeviceId {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return Array.from(randomBytes(10), (b) => letters[b % 26]).join("") as DeviceId;
}

function seed(): string {
  return randomBytes(9).toString("base64url");
}

type Outcome = { ok: true } | Failure;

/** A failed outcome as a Matrix error response; the engine named errcode and status. */
export function fail(outcome: Failure): ShellResponse {
  return { status: outcome.error.status, body: { errcode: outcome.error.errcode, error: outcome.error.message } };
}

function ok(body: unknown = {}): ShellResponse {
  return { status: 200, body };
}

function token(input: HandlerInput): AccessToken | null {
  return input.accessToken as AccessToken | null;
}

function str(input: HandlerInput, name: string): string {
  return String(input.params[name] ?? "");
}

function bodyOf(input: HandlerInput): JsonObject {
  return (input.body ?? {}) as JsonObject;
}

export function clientHandlers(rt: HomeserverRuntime, options: { readonly registration: boolean }): Record<string, Handler> {
  const run = <C extends HomeserverCommand>(c: C) => rt.run(c);
  const answer = (outcome: Outcome & { body?: unknown }, body?: unknown): ShellResponse =>
    outcome.ok ? ok(body ?? (outcome as { body?: unknown }).body ?? {}) : fail(outcome);
  const server = rt.engine.serverName;

  return {
    getVersions: () => ok({ versions: SUPPORTED_VERSIONS, unstable_features: {} }),
    // The API requires an access token here too (capabilities.yaml: security, 401).
    getCapabilities: (input) => {
      const o = run({ type: "whoami", token: token(input) });
      return o.ok ? ok({ capabilities: { "m.change_password": { enabled: false } } }) : fail(o);
    },
    getLoginFlows: () => ok({ flows: [{ type: "m.login.password" }] }),

    register: (input) => {
      if (!options.registration) throw new MatrixHttpError(403, "M_FORBIDDEN", "Registration is disabled on this server");
      const b = bodyOf(input);
      const auth = b.auth as JsonObject | undefined;
      if (auth?.type !== "m.login.dummy") {
        return { status: 401, body: { flows: [{ stages: ["m.login.dummy"] }], params: {}, session: seed() } };
      }
      const username = typeof b.username === "string" ? b.username.toLowerCase() : `u${randomBytes(5).toString("hex")}`;
      const password = typeof b.password === "string" ? rt.passwordDigest(username, b.password) : undefined;
      const deviceId = (typeof b.device_id === "string" ? b.device_id : freshDeviceId()) as DeviceId;
      const displayName = typeof b.initial_device_display_name === "string" ? b.initial_device_display_name : undefined;
      const outcome = run({
        type: "register", username, deviceId, accessToken: freshToken("syt") as AccessToken,
        ...(password === undefined ? {} : { password }), ...(displayName === undefined ? {} : { displayName }),
      });
      if (!outcome.ok) return fail(outcome);
      if (b.inhibit_login === true) return ok({ user_id: outcome.userId });
      return ok({ user_id: outcome.userId, access_token: outcome.accessToken, device_id: outcome.deviceId, home_server: server });
    },

    login: (input) => {
      const b = bodyOf(input);
      if (b.type !== "m.login.password") throw new MatrixHttpError(400, "M_UNKNOWN", "Only m.login.password is supported");
      const identifier = b.identifier as JsonObject | undefined;
      const user = typeof identifier?.user === "string" ? identifier.user : typeof b.user === "string" ? b.user : "";
      const parsed = parseUserId(user);
      const localpart = (parsed.ok ? localpartOf(parsed.value) : user).toLowerCase();
      const password = rt.passwordDigest(localpart, typeof b.password === "string" ? b.password : "");
      const deviceId = (typeof b.device_id === "string" ? b.device_id : freshDeviceId()) as DeviceId;
      const displayName = typeof b.initial_device_display_name === "string" ? b.initial_device_display_name : undefined;
      const outcome = run({ type: "login", user: parsed.ok ? user : localpart, password, deviceId, accessToken: freshToken("syt") as AccessToken, ...(displayName === undefined ? {} : { displayName }) });
      if (!outcome.ok) return fail(outcome);
      return ok({ user_id: outcome.userId, access_token: outcome.accessToken, device_id: outcome.deviceId, home_server: server });
    },

    logout: (input) => answer(run({ type: "logout", token: token(input) })),
    getTokenOwner: (input) => {
      const o = run({ type: "whoami", token: token(input) });
      return o.ok ? ok({ user_id: o.userId, device_id: o.deviceId }) : fail(o);
    },
    getDevices: (input) => {
      const o = run({ type: "listDevices", token: token(input) });
      // display_name is an optional string in the API: absent, never null, when the device has none.
      const devices = o.ok ? o.devices.map((d) => ({ device_id: d.deviceId, ...(d.displayName === null ? {} : { display_name: d.displayName }) })) : [];
      return o.ok ? ok({ devices }) : fail(o);
    },
    deleteDevice: (input) => answer(run({ type: "deleteDevice", token: token(input), deviceId: str(input, "deviceId") as DeviceId })),

    defineFilter: (input) => {
      const o = run({ type: "whoami", token: token(input) });
      if (!o.ok) return fail(o);
      if (str(input, "userId") !== o.userId) throw new MatrixHttpError(403, "M_FORBIDDEN", "Cannot create filters for other users");
      // Filters do not affect to-device (TD-20); Courier stores none and echoes a stable id.
      return ok({ filter_id: Buffer.from(JSON.stringify(input.body ?? {})).toString("base64url").slice(0, 32) || "0" });
    },
    getFilter: (input) => {
      const o = run({ type: "whoami", token: token(input) });
      return o.ok ? ok({}) : fail(o);
    },

    sendToDevice: (input) =>
      answer(run({ type: "sendToDevice", token: token(input), eventType: str(input, "eventType"), txnId: str(input, "txnId") as TxnId, body: (input.body ?? {}) as Json })),

    sync: async (input) => {
      const since = input.params.since === undefined ? undefined : String(input.params.since);
      const timeout = Math.min(Number(input.params.timeout ?? 0) || 0, MAX_SYNC_TIMEOUT_MS);
      const command = { type: "sync" as const, token: token(input), ...(since === undefined ? {} : { since }) };
      const deadline = Date.now() + timeout;
      for (;;) {
        const o = run(command);
        if (!o.ok) return fail(o);
        const remaining = deadline - Date.now();
        if (syncHasNews(o) || remaining <= 0) return ok(syncBody(o));
        const who = run({ type: "whoami", token: token(input) });
        if (!who.ok) return fail(who);
        await rt.waiters.wait(who.userId, who.deviceId, remaining);
      }
    },

    ...roomHandlers(rt),
    ...pushHandlers(rt),
  };
}

function roomHandlers(rt: HomeserverRuntime): Record<string, Handler> {
  const respond = (o: { ok: true; body: unknown } | Failure, after?: () => void): ShellResponse => {
    if (o.ok) after?.();
    return o.ok ? ok(o.body) : fail(o);
  };
  const wake = () => rt.waiters.wakeAll();
  const t = token;
  return {
    createRoom: (i) => respond(rt.run({ type: "createRoom", token: t(i), seed: seed(), body: bodyOf(i) }), wake),
    inviteUser: (i) => respond(rt.run({ type: "invite", token: t(i), roomId: str(i, "roomId"), userId: String(bodyOf(i).user_id ?? ""), seed: seed() }), wake),
    joinRoomById: (i) => respond(rt.run({ type: "join", token: t(i), roomIdOrAlias: str(i, "roomId"), seed: seed() }), wake),
    joinRoom: (i) => respond(rt.run({ type: "join", token: t(i), roomIdOrAlias: str(i, "roomIdOrAlias"), seed: seed() }), wake),
    sendMessage: (i) =>
      respond(rt.run({ type: "sendEvent", token: t(i), roomId: str(i, "roomId"), eventType: str(i, "eventType"), txnId: str(i, "txnId") as TxnId, content: bodyOf(i), seed: seed() }), wake),
    setRoomStateWithKey: (i) => respond(rt.run({ type: "setState", token: t(i), roomId: str(i, "roomId"), eventType: str(i, "eventType"), stateKey: str(i, "stateKey"), content: bodyOf(i), seed: seed() }), wake),
    setRoomState: (i) => respond(rt.run({ type: "setState", token: t(i), roomId: str(i, "roomId"), eventType: str(i, "eventType"), stateKey: "", content: bodyOf(i), seed: seed() }), wake),
    setRoomStateWithEmptyKey: (i) => respond(rt.run({ type: "setState", token: t(i), roomId: str(i, "roomId"), eventType: str(i, "eventType"), stateKey: "", content: bodyOf(i), seed: seed() }), wake),
    postReceipt: (i) => respond(rt.run({ type: "setReceipt", token: t(i), roomId: str(i, "roomId"), receiptType: str(i, "receiptType"), eventId: str(i, "eventId") })),
    setDisplayName: (i) => {
      const name = bodyOf(i).displayname;
      return respond(rt.run({ type: "setDisplayName", token: t(i), userId: str(i, "userId"), displayname: typeof name === "string" ? name : null, seed: seed() }), wake);
    },
    getDisplayName: (i) => respond(rt.run({ type: "getDisplayName", userId: str(i, "userId") as UserId })),
  };
}

function pushHandlers(rt: HomeserverRuntime): Record<string, Handler> {
  const respond = (o: { ok: true; body: unknown } | Failure): ShellResponse => (o.ok ? ok(o.body) : fail(o));
  const rule = (i: HandlerInput) => ({ token: token(i), kind: str(i, "kind"), ruleId: str(i, "ruleId") });
  const optional = (i: HandlerInput, name: string) => (i.params[name] === undefined ? {} : { [name]: String(i.params[name]) });
  return {
    postPusher: (i) => respond(rt.run({ type: "setPusher", token: token(i), body: bodyOf(i) })),
    getPushers: (i) => respond(rt.run({ type: "getPushers", token: token(i) })),
    getPushRules: (i) => respond(rt.run({ type: "getPushRules", token: token(i) })),
    getPushRule: (i) => respond(rt.run({ type: "getPushRule", ...rule(i) })),
    setPushRule: (i) => respond(rt.run({ type: "setPushRule", ...rule(i), body: bodyOf(i), ...optional(i, "before"), ...optional(i, "after") })),
    deletePushRule: (i) => respond(rt.run({ type: "deletePushRule", ...rule(i) })),
    setPushRuleEnabled: (i) => respond(rt.run({ type: "setPushRuleEnabled", ...rule(i), enabled: (bodyOf(i).enabled ?? null) as Json })),
    setPushRuleActions: (i) => respond(rt.run({ type: "setPushRuleActions", ...rule(i), actions: (bodyOf(i).actions ?? null) as Json })),
  };
}
