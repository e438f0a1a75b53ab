/**
 * Accounts, devices and access tokens: the little of the client-server API that send-to-device
 * needs (register, login, logout, whoami, devices). User-interactive auth, refresh tokens and
 * profiles are the shell's business or out of scope.
 *
 * Fresh values (access tokens, generated device ids) arrive in the commands; the engine only
 * checks that a token is not already bound.
 */
import { createHash } from "node:crypto";
import { type AccessToken, type DeviceId, parseUserId, type ServerName, type UserId } from "../ids.ts";
import { type DeviceInfo, type Failure, failure, type LoginCommand, type RegisterCommand, type Session } from "./commands.ts";

export interface DeviceRecord {
  readonly deviceId: DeviceId;
  displayName: string | null;
  token: AccessToken;
}

export interface Account {
  readonly userId: UserId;
  /** A digest, so engine snapshots carry no password (the journaled login command still does). */
  readonly passwordDigest: string | null;
  /** In creation order: `*` expands in this order. */
  readonly devices: Map<DeviceId, DeviceRecord>;
}

export interface Identity {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
}

export interface AccountsState {
  readonly users: Map<UserId, Account>;
  readonly tokens: Map<AccessToken, Identity>;
}

export function createAccounts(): AccountsState {
  return { users: new Map(), tokens: new Map() };
}

// Identifier grammar (v1.8): localparts of new users use only these characters.
const LOCALPART = /^[a-z0-9._=\-/+]+$/;

function digest(userId: UserId, password: string): string {
  return createHash("sha256").update(`${userId}\u0000${password}`).digest("base64");
}

export function authenticate(accounts: AccountsState, token: AccessToken | null): ({ ok: true } & Identity) | Failure {
  if (token === null) return failure("M_MISSING_TOKEN", "Missing access token.");
  const who = accounts.tokens.get(token);
  if (who === undefined) return failure("M_UNKNOWN_TOKEN", "Unrecognised access token.");
  return { ok: true, userId: who.userId, deviceId: who.deviceId };
}

export function register(accounts: AccountsState, serverName: ServerName, cmd: RegisterCommand): Session | Failure {
  const userId = `@${cmd.username}:${serverName}` as UserId;
  if (!LOCALPART.test(cmd.username) || !parseUserId(userId).ok) {
    return failure("M_INVALID_USERNAME", "User ID can only contain characters a-z, 0-9, or '._=-/+'.");
  }
  if (accounts.users.has(userId)) return failure("M_USER_IN_USE", "User ID already taken.");
  if (accounts.tokens.has(cmd.accessToken)) return failure("M_INVALID_PARAM", "Access token already in use.");
  const passwordDigest = cmd.password === undefined ? null : digest(userId, cmd.password);
  const account: Account = { userId, passwordDigest, devices: new Map() };
  accounts.users.set(userId, account);
  return bindDevice(accounts, account, cmd.deviceId, cmd.accessToken, cmd.displayName);
}

/**
 * The account a login names: a localpart of this server or a full user id. Every account is of
 * this server, so a user id of another server names none.
 */
function loginAccount(accounts: AccountsState, serverName: ServerName, user: string): Account | undefined {
  if (!user.startsWith("@")) return accounts.users.get(`@${user}:${serverName}` as UserId);
  const parsed = parseUserId(user);
  return parsed.ok ? accounts.users.get(parsed.value) : undefined;
}

export function login(accounts: AccountsState, serverName: ServerName, cmd: LoginCommand): Session | Failure {
  const account = loginAccount(accounts, serverName, cmd.user);
  if (account === undefined || account.passwordDigest !== digest(account.userId, cmd.password)) {
    return failure("M_FORBIDDEN", "Invalid username or password.");
  }
  if (accounts.tokens.has(cmd.accessToken)) return failure("M_INVALID_PARAM", "Access token already in use.");
  return bindDevice(accounts, account, cmd.deviceId, cmd.accessToken, cmd.displayName);
}

/**
 * Bind a fresh token to a device, creating the device if needed. TD-42: reusing an existing
 * device id keeps the device (and so its inbox and transaction scope) and replaces its old token.
 */
function bindDevice(
  accounts: AccountsState,
  account: Account,
  deviceId: DeviceId,
  token: AccessToken,
  displayName: string | undefined,
): Session {
  const userId = account.userId;
  const existing = account.devices.get(deviceId);
  if (existing === undefined) {
    account.devices.set(deviceId, { deviceId, displayName: displayName ?? null, token });
  } else {
    accounts.tokens.delete(existing.token);
    existing.token = token;
    if (displayName !== undefined) existing.displayName = displayName;
  }
  accounts.tokens.set(token, { userId, deviceId });
  return { ok: true, userId, deviceId, accessToken: token };
}

/** Remove a device and its token; false if the user has no such device. */
export function removeDevice(accounts: AccountsState, userId: UserId, deviceId: DeviceId): boolean {
  const account = accounts.users.get(userId);
  if (account === undefined) return false;
  const device = account.devices.get(deviceId);
  if (device === undefined) return false;
  accounts.tokens.delete(device.token);
  account.devices.delete(deviceId);
  return true;
}

export function listDevices(accounts: AccountsState, userId: UserId): DeviceInfo[] {
  const account = accounts.users.get(userId);
  if (account === undefined) return [];
  return [...account.devices.values()].map((d) => ({ deviceId: d.deviceId, displayName: d.displayName }));
}

/** The user's devices in creation order, or undefined for a user this server does not know. */
export function devicesOf(accounts: AccountsState, userId: UserId): ReadonlyMap<DeviceId, DeviceRecord> | undefined {
  return accounts.users.get(userId)?.devices;
}
