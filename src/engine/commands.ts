/**
 * Commands the engine accepts and the outcomes it answers. Every command is plain JSON: the
 * driver journals it and recovery replays the journal, so a command carries every fresh value
 * it needs (access tokens, device ids) and never asks the engine to invent one.
 *
 * Outcomes are typed: `{ ok: true, ... }` or `{ ok: false, error }`, where the engine names the
 * Matrix errcode and the HTTP status; only the shell turns that into an HTTP response.
 */
import type { Json } from "../canonical-json.ts";
import type { AccessToken, DeviceId, StreamToken, TxnId, UserId } from "../ids.ts";
import type { JsonObject } from "./effects.ts";

export interface RegisterCommand {
  readonly type: "register";
  readonly username: string;
  readonly password?: string;
  readonly deviceId: DeviceId;
  readonly accessToken: AccessToken;
  readonly displayName?: string;
}

export interface LoginCommand {
  readonly type: "login";
  /** A full user id of this server, or its localpart. */
  readonly user: string;
  readonly password: string;
  /** A device id the client named (kept with its inbox if it exists) or one the driver made. */
  readonly deviceId: DeviceId;
  readonly accessToken: AccessToken;
  readonly displayName?: string;
}

/** `token: null` is a request that carried no access token. */
export interface LogoutCommand {
  readonly type: "logout";
  readonly token: AccessToken | null;
}

export interface WhoamiCommand {
  readonly type: "whoami";
  readonly token: AccessToken | null;
}

export interface ListDevicesCommand {
  readonly type: "listDevices";
  readonly token: AccessToken | null;
}

export interface DeleteDeviceCommand {
  readonly type: "deleteDevice";
  readonly token: AccessToken | null;
  readonly deviceId: DeviceId;
}

export interface SendToDeviceCommand {
  readonly type: "sendToDevice";
  readonly token: AccessToken | null;
  readonly eventType: string;
  readonly txnId: TxnId;
  /** The request body as received (validated by the engine). */
  readonly body: Json;
}

export interface SyncToDeviceCommand {
  readonly type: "syncToDevice";
  readonly token: AccessToken | null;
  /** The `since` query parameter as received, unparsed. */
  readonly since?: string;
}

/** Time-driven cleanup: forget old transaction ids, drop expired undelivered messages. */
export interface ExpireCommand {
  readonly type: "expire";
}

export type Command =
  | RegisterCommand
  | LoginCommand
  | LogoutCommand
  | WhoamiCommand
  | ListDevicesCommand
  | DeleteDeviceCommand
  | SendToDeviceCommand
  | SyncToDeviceCommand
  | ExpireCommand;

export type ErrCode =
  | "M_UNKNOWN_TOKEN"
  | "M_MISSING_TOKEN"
  | "M_TOO_LARGE"
  | "M_INVALID_PARAM"
  | "M_BAD_JSON"
  | "M_MISSING_PARAM"
  | "M_USER_IN_USE"
  | "M_INVALID_USERNAME"
  | "M_FORBIDDEN"
  | "M_NOT_FOUND";

export interface MatrixError {
  /** An `ErrCode` from the engine itself, or a spec errcode from the room and push modules. */
  readonly errcode: ErrCode | (string & {});
  readonly message: string;
  readonly status: number;
}

export interface Failure {
  readonly ok: false;
  readonly error: MatrixError;
}

const STATUS: Record<ErrCode, number> = {
  M_UNKNOWN_TOKEN: 401,
  M_MISSING_TOKEN: 401,
  M_TOO_LARGE: 413,
  M_INVALID_PARAM: 400,
  M_BAD_JSON: 400,
  M_MISSING_PARAM: 400,
  M_USER_IN_USE: 400,
  M_INVALID_USERNAME: 400,
  M_FORBIDDEN: 403,
  M_NOT_FOUND: 404,
};

export function failure(errcode: ErrCode, message: string): Failure {
  return { ok: false, error: { errcode, message, status: STATUS[errcode] } };
}

/** TD-31, TD-32, TD-33: one to-device event as `/sync` lists it: `sender`, `type`, `content`. */
export interface ToDeviceEvent {
  readonly sender: UserId;
  readonly type: string;
  readonly content: JsonObject;
}

export interface Session {
  readonly ok: true;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly accessToken: AccessToken;
}

export interface DeviceInfo {
  readonly deviceId: DeviceId;
  readonly displayName: string | null;
}

export interface Done {
  readonly ok: true;
}

export interface SyncResult {
  readonly ok: true;
  readonly nextBatch: StreamToken;
  readonly events: readonly ToDeviceEvent[];
}

export interface ExpireResult {
  readonly ok: true;
  readonly txnsExpired: number;
  readonly messagesExpired: number;
  /** When the next `expire` has work to do, or null when nothing is waiting to expire. */
  readonly nextExpiryAt: number | null;
}

/** The outcome of each command type, success or failure. */
export interface Outcomes {
  register: Session | Failure;
  login: Session | Failure;
  logout: Done | Failure;
  whoami: { readonly ok: true; readonly userId: UserId; readonly deviceId: DeviceId } | Failure;
  listDevices: { readonly ok: true; readonly devices: readonly DeviceInfo[] } | Failure;
  deleteDevice: Done | Failure;
  sendToDevice: Done | Failure;
  syncToDevice: SyncResult | Failure;
  expire: ExpireResult;
}

export type OutcomeOf<C extends Command> = Outcomes[C["type"]];
export type Outcome = Outcomes[keyof Outcomes];
