/**
 * Pushers: the table behind `GET /pushers` and `POST /pushers/set` (client-server API,
 * pusher.yaml), keyed by (app_id, pushkey, user). Pure: `now` comes in, the changes made come
 * out as data so the push path can start or stop the matching pusher queues.
 *
 * Courier makes `http` pushers only; `kind: "email"` is refused with 400 because Courier does
 * not send email (PUSH-38 is not applicable).
 */
import { isIPv4 } from "node:net";
import type { Json } from "../../canonical-json.ts";
import type { Brand, DeviceId, PushKey, UserId } from "../../ids.ts";
import { type Failure, fail } from "../rooms/outcome.ts";
import type { JsonObject } from "../rooms/room-state.ts";
import type { PushPolicies } from "./policy.ts";

export type PusherId = Brand<string, "PusherId">;

export interface Pusher {
  readonly id: PusherId;
  readonly user: UserId;
  /** The device whose access token last set this pusher; deleting that device removes it. */
  readonly deviceId: DeviceId | null;
  readonly kind: "http";
  readonly appId: string;
  readonly pushkey: PushKey;
  readonly appDisplayName: string;
  readonly deviceDisplayName: string;
  readonly profileTag?: string | undefined;
  readonly lang: string;
  /** `data` as given, `url` included (it is stripped when forwarded: PUSH-46). */
  readonly data: JsonObject;
  readonly url: string;
  /** PUSH-21, PUSH-59: seconds since the epoch when the pushkey was last set. */
  readonly pushkeyTs: number;
}

export interface PusherTable {
  readonly byId: Map<PusherId, Pusher>;
}

export type PusherRemovalReason = "deleted" | "claimed-by-other-user" | "device-deleted" | "rejected";

export type PusherChange =
  | { readonly kind: "pusher.set"; readonly pusher: Pusher }
  | { readonly kind: "pusher.removed"; readonly pusher: Pusher; readonly reason: PusherRemovalReason };

export type PusherOutcome = { readonly ok: true; readonly changes: readonly PusherChange[] } | Failure;

export function emptyPushers(): PusherTable {
  return { byId: new Map() };
}

export function pusherIdOf(user: UserId, appId: string, pushkey: string): PusherId {
  return JSON.stringify([user, appId, pushkey]) as PusherId;
}

const ALWAYS_REQUIRED = ["kind", "app_id", "pushkey"] as const;
const REQUIRED_UNLESS_DELETING = ["app_display_name", "device_display_name", "lang", "data"] as const;
// PUSH-3 recommended this path in 2015; PUSH-43 makes it the only one accepted today.
export const NOTIFY_PATH = "/_matrix/push/v1/notify";

function missing(body: JsonObject, keys: readonly string[]): Failure | null {
  const absent = keys.filter((k) => body[k] === undefined);
  return absent.length === 0 ? null : fail(400, "M_MISSING_PARAM", `Missing parameters: ${absent.join(", ")}`);
}

/** `host` as the URL parser writes it: an IPv4 host, however it was given, as four decimal parts. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || (isIPv4(host) && host.startsWith("127."));
}

/** PUSH-42, PUSH-43, PUSH-44 (pusher-url policy): why `url` is refused, or null if it is fine. */
export function gatewayUrlProblem(url: string, policies: PushPolicies): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "data.url is not an absolute URL";
  }
  const scheme = parsed.protocol;
  if (policies.pusherUrl === "https-only" ? scheme !== "https:" : scheme !== "https:" && scheme !== "http:") {
    return `data.url must use ${policies.pusherUrl === "https-only" ? "https" : "http or https"}`;
  }
  if (parsed.pathname !== NOTIFY_PATH) return `data.url must have the path ${NOTIFY_PATH}`;
  if (policies.pusherUrl !== "allow-list") return null;
  const host = parsed.hostname.toLowerCase();
  const allowed = isLoopback(host) || policies.gatewayHosts.some((h) => h.toLowerCase() === host);
  return allowed ? null : `data.url host ${host} is not an allowed push gateway`;
}

function checkKeys(body: JsonObject): Failure | { appId: string; pushkey: PushKey; kind: string | null } {
  const lacking = missing(body, ALWAYS_REQUIRED);
  if (lacking !== null) return lacking;
  const { kind, app_id: appId, pushkey } = body;
  if (typeof appId !== "string" || appId.length === 0) return fail(400, "M_INVALID_PARAM", "app_id must be a non-empty string");
  if (typeof pushkey !== "string" || pushkey.length === 0) return fail(400, "M_INVALID_PARAM", "pushkey must be a non-empty string");
  if (kind !== null && typeof kind !== "string") return fail(400, "M_INVALID_PARAM", "kind must be a string or null");
  // PUSH-40: "Max length, 64 chars"; PUSH-39: "Max length, 512 bytes".
  if (Array.from(appId).length > 64) return fail(400, "M_INVALID_PARAM", "app_id is longer than 64 characters");
  if (Buffer.byteLength(pushkey) > 512) return fail(400, "M_INVALID_PARAM", "pushkey is longer than 512 bytes");
  return { appId, pushkey: pushkey as PushKey, kind };
}

function checkData(data: Json | undefined, policies: PushPolicies): Failure | { data: JsonObject; url: string } {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return fail(400, "M_INVALID_PARAM", "data must be an object");
  const object = data as JsonObject;
  if (object.url === undefined) return fail(400, "M_MISSING_PARAM", "Missing parameters: data.url");
  if (typeof object.url !== "string") return fail(400, "M_INVALID_PARAM", "data.url must be a string");
  const problem = gatewayUrlProblem(object.url, policies);
  if (problem !== null) return fail(400, "M_INVALID_PARAM", problem);
  // PUSH-45: `format` is an enum with the single value "event_id_only".
  if (object.format !== undefined && object.format !== "event_id_only") {
    return fail(400, "M_INVALID_PARAM", 'data.format must be "event_id_only" when present');
  }
  return { data: object, url: object.url };
}

function checkStrings(body: JsonObject): Failure | null {
  for (const key of ["app_display_name", "device_display_name", "lang", "profile_tag"]) {
    if (body[key] !== undefined && typeof body[key] !== "string") return fail(400, "M_INVALID_PARAM", `${key} must be a string`);
  }
  if (body.append !== undefined && typeof body.append !== "boolean") return fail(400, "M_INVALID_PARAM", "append must be a boolean");
  return null;
}

export interface SetPusherRequest {
  readonly user: UserId;
  readonly deviceId: DeviceId | null;
  /** The request body, as parsed JSON. */
  readonly body: JsonObject;
  readonly now: number;
}

/** `POST /pushers/set` (PUSH-34 … PUSH-48). */
export function setPusher(table: PusherTable, req: SetPusherRequest, policies: PushPolicies): PusherOutcome {
  const keys = checkKeys(req.body);
  if ("ok" in keys) return keys;
  const id = pusherIdOf(req.user, keys.appId, keys.pushkey);
  if (keys.kind === null) return { ok: true, changes: removePusher(table, id, "deleted") }; // PUSH-35
  if (keys.kind === "email") return fail(400, "M_INVALID_PARAM", "Courier does not send email: only kind http is supported");
  // PUSH-37: "http" is the one kind Courier makes.
  if (keys.kind !== "http") return fail(400, "M_INVALID_PARAM", `unknown pusher kind ${JSON.stringify(keys.kind)}`);
  const lacking = missing(req.body, REQUIRED_UNLESS_DELETING) ?? checkStrings(req.body); // PUSH-36
  if (lacking !== null) return lacking;
  const data = checkData(req.body.data, policies);
  if ("ok" in data) return data;
  const b = req.body;
  const pusher: Pusher = {
    id,
    user: req.user,
    deviceId: req.deviceId,
    kind: "http",
    appId: keys.appId,
    pushkey: keys.pushkey,
    appDisplayName: b.app_display_name as string,
    deviceDisplayName: b.device_display_name as string,
    profileTag: b.profile_tag as string | undefined,
    lang: b.lang as string,
    data: data.data,
    url: data.url,
    pushkeyTs: Math.floor(req.now / 1000),
  };
  const changes: PusherChange[] = [];
  if (b.append !== true) {
    // PUSH-47: without append, the same app_id + pushkey of every other user goes.
    for (const other of [...table.byId.values()]) {
      if (other.user !== req.user && other.appId === pusher.appId && other.pushkey === pusher.pushkey) {
        changes.push(...removePusher(table, other.id, "claimed-by-other-user"));
      }
    }
  }
  table.byId.set(id, pusher);
  changes.push({ kind: "pusher.set", pusher });
  return { ok: true, changes };
}

export function removePusher(table: PusherTable, id: PusherId, reason: PusherRemovalReason): PusherChange[] {
  const pusher = table.byId.get(id);
  if (pusher === undefined) return [];
  table.byId.delete(id);
  return [{ kind: "pusher.removed", pusher, reason }];
}

/** Device deletion or logout (device-deletion policy, PUSH-67): that device's pushers go. */
export function removePushersOfDevice(table: PusherTable, user: UserId, deviceId: DeviceId): PusherChange[] {
  const gone = [...table.byId.values()].filter((p) => p.user === user && p.deviceId === deviceId);
  return gone.flatMap((p) => removePusher(table, p.id, "device-deleted"));
}

export function pushersOf(table: PusherTable, user: UserId): Pusher[] {
  return [...table.byId.values()].filter((p) => p.user === user);
}

/** One entry of `GET /pushers` (PUSH-33). */
export function pusherJson(p: Pusher): JsonObject {
  return {
    pushkey: p.pushkey,
    kind: p.kind,
    app_id: p.appId,
    app_display_name: p.appDisplayName,
    device_display_name: p.deviceDisplayName,
    ...(p.profileTag === undefined ? {} : { profile_tag: p.profileTag }),
    lang: p.lang,
    data: p.data,
  };
}

export function listPushers(table: PusherTable, user: UserId): { readonly pushers: readonly JsonObject[] } {
  return { pushers: pushersOf(table, user).map(pusherJson) };
}
