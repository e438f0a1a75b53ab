/**
 * Branded identifiers. Raw strings become identifiers only here, parsed once at the edge
 * (the HTTP shell, the simulator, the conformance driver); the engine only ever sees brands.
 *
 * Grammar: client-server API, "Identifier Grammar" (user ids `@localpart:server_name`,
 * server names `hostname[:port]`). We accept the historical user-id character set, as
 * servers must for users created before v1.8.
 */

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, "UserId">;
export type DeviceId = Brand<string, "DeviceId">;
export type ServerName = Brand<string, "ServerName">;
export type TxnId = Brand<string, "TxnId">;
export type StreamToken = Brand<string, "StreamToken">;
export type PushKey = Brand<string, "PushKey">;
export type AccessToken = Brand<string, "AccessToken">;
export type RoomId = Brand<string, "RoomId">;
export type EventId = Brand<string, "EventId">;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9.-]{1,255})(?::[0-9]{1,5})?$/;
// Historical user ids allow any printable ASCII except ':' in the localpart.
const USER_ID = /^@([\x21-\x39\x3B-\x7E]+):(.+)$/;

export function parseServerName(raw: string): Parsed<ServerName> {
  return SERVER_NAME.test(raw)
    ? { ok: true, value: raw as ServerName }
    : { ok: false, reason: `not a server name: ${JSON.stringify(raw)}` };
}

export function parseUserId(raw: string): Parsed<UserId> {
  const m = USER_ID.exec(raw);
  if (m === null || raw.length > 255) return { ok: false, reason: `not a user id: ${JSON.stringify(raw)}` };
  const server = parseServerName(m[2] ?? "");
  if (!server.ok) return { ok: false, reason: `user id ${JSON.stringify(raw)} has a bad server name` };
  return { ok: true, value: raw as UserId };
}

/** The server part of a user id (everything after the first ':'). */
export function serverOf(user: UserId): ServerName {
  return user.slice(user.indexOf(":") + 1) as ServerName;
}

export function localpartOf(user: UserId): string {
  return user.slice(1, user.indexOf(":"));
}

function nonEmpty<T>(what: string, max: number) {
  return (raw: string): Parsed<T> =>
    raw.length > 0 && raw.length <= max
      ? { ok: true, value: raw as T }
      : { ok: false, reason: `${what} must be 1 to ${max} characters` };
}

export const parseDeviceId = nonEmpty<DeviceId>("a device id", 255);
export const parseTxnId = nonEmpty<TxnId>("a transaction id", 255);
export const parsePushKey = nonEmpty<PushKey>("a pushkey", 512);
export const parseAccessToken = nonEmpty<AccessToken>("an access token", 1024);

/** Stream tokens are decimal stream positions, as opaque strings on the wire. */
export function parseStreamToken(raw: string): Parsed<number> {
  return /^[0-9]{1,15}$/.test(raw)
    ? { ok: true, value: Number(raw) }
    : { ok: false, reason: `not a stream token: ${JSON.stringify(raw)}` };
}

export function streamToken(position: number): StreamToken {
  return String(position) as StreamToken;
}

/** The wildcard device id of the send-to-device module: every device the user has. */
export const ALL_DEVICES = "*" as DeviceId;
