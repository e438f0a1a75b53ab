/**
 * How the checker gets users on the server under test. Three ways, as servers differ:
 *
 * - open registration: `POST /register` with `m.login.dummy`, then a login per extra device;
 * - a registration shared secret (Synapse's admin API, `/_synapse/admin/v1/register`: a nonce,
 *   then an HMAC-SHA1 over nonce, user, password and admin flag), then logins as above;
 * - a file of ready access tokens (`[{user_id, access_token, device_id, password?}]`), for servers
 *   where neither is possible. Those users are reused across runs, so the checker drains their
 *   inboxes first and does not delete or create devices (it would kill the tokens it was given).
 *
 * Users made by the checker get fresh names (`<prefix><nonce>u<i>`), so runs never share state.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { type HomeserverDriver, type Session, sessionOf } from "./driver.ts";
import { exchange } from "./drivers/http-exchange.ts";
import type { HttpDriver } from "./drivers/http.ts";

export interface Account {
  readonly userId: string;
  /** Known for users the checker made; null for users from a token file. */
  readonly password: string | null;
  readonly sessions: readonly Session[];
}

export interface AccountSource {
  readonly kind: "registration" | "shared-secret" | "tokens";
  /** Whether the checker may log in new devices and delete devices of these users. */
  readonly manageDevices: boolean;
  /** Whether the users carry state from earlier runs (inboxes to drain first). */
  readonly reused: boolean;
  /**
   * `count` users with one session per name in `deviceNames` (the device ids the checker asks
   * for; a token file decides its own). `wait` wraps each request (a scheduler's `waitFor`).
   */
  obtain(driver: HomeserverDriver, count: number, deviceNames: readonly string[], wait?: <T>(p: Promise<T>) => Promise<T>): Promise<Account[]>;
}

const PASSWORD = "courier-check-pw";

let generation = 0;

/** A fresh name prefix per call: process-unique, and unlikely to meet an earlier run's. */
export function freshNonce(): string {
  return `${Date.now().toString(36)}${(generation++).toString(36)}`;
}

async function loginDevices(driver: HomeserverDriver, userId: string, deviceNames: readonly string[], wait: <T>(p: Promise<T>) => Promise<T>): Promise<Session[]> {
  const sessions: Session[] = [];
  for (const deviceId of deviceNames) {
    const answer = await wait(driver.login({ user: userId, password: PASSWORD, deviceId }));
    const session = sessionOf(answer);
    if (session === null) throw new Error(`login of ${userId} (device ${deviceId}) failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    sessions.push(session);
  }
  return sessions;
}

const direct = <T>(p: Promise<T>) => p;

/** Open registration; `prefix` names users (`<prefix>0`, `<prefix>1`, …). */
export function openRegistration(prefix: () => string = () => `chk${freshNonce()}u`): AccountSource {
  return {
    kind: "registration",
    manageDevices: true,
    reused: false,
    async obtain(driver, count, deviceNames, wait = direct) {
      const base = prefix();
      const accounts: Account[] = [];
      for (let i = 0; i < count; i++) {
        const [first, ...others] = deviceNames;
        const answer = await wait(driver.register({ username: `${base}${i}`, password: PASSWORD, ...(first === undefined ? {} : { deviceId: first }) }));
        const session = sessionOf(answer);
        if (session === null) throw new Error(`registration failed: ${answer.status} ${JSON.stringify(answer.body)} (is open registration with m.login.dummy enabled?)`);
        accounts.push({ userId: session.userId, password: PASSWORD, sessions: [session, ...(await loginDevices(driver, session.userId, others, wait))] });
      }
      return accounts;
    },
  };
}

/** Synapse's shared-secret registration (`registration_shared_secret`), over the HTTP driver. */
export function sharedSecretRegistration(secret: string): AccountSource {
  return {
    kind: "shared-secret",
    manageDevices: true,
    reused: false,
    async obtain(driver, count, deviceNames) {
      const http = driver as HttpDriver;
      if (http.context === undefined) throw new Error("shared-secret registration needs an HTTP target");
      const base = `chk${freshNonce()}u`;
      const accounts: Account[] = [];
      for (let i = 0; i < count; i++) {
        const username = `${base}${i}`;
        const path = "/_synapse/admin/v1/register";
        const nonceAnswer = await exchange(http.context, { operationId: null, method: "GET", path });
        const nonce = (nonceAnswer.body as { nonce?: unknown } | null)?.nonce;
        if (typeof nonce !== "string") throw new Error(`shared-secret registration: no nonce from ${path} (${nonceAnswer.status})`);
        const mac = createHmac("sha1", secret).update(`${nonce}\u0000${username}\u0000${PASSWORD}\u0000notadmin`).digest("hex");
        const answer = await exchange(http.context, { operationId: null, method: "POST", path, body: { nonce, username, password: PASSWORD, admin: false, mac } });
        const made = sessionOf(answer);
        if (made === null) throw new Error(`shared-secret registration failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        const sessions = await loginDevices(driver, made.userId, deviceNames, direct);
        // The device the admin API made is not one the scenarios know about.
        await driver.logout(made);
        accounts.push({ userId: made.userId, password: PASSWORD, sessions });
      }
      return accounts;
    },
  };
}

interface TokenEntry {
  readonly user_id: string;
  readonly access_token: string;
  readonly device_id: string;
  readonly password?: string;
}

/** Ready sessions from a JSON file; users are grouped by user id in file order. */
export function tokenFile(path: string): AccountSource {
  const entries = JSON.parse(readFileSync(path, "utf8")) as TokenEntry[];
  if (!Array.isArray(entries)) throw new Error(`${path}: expected a JSON array of {user_id, access_token, device_id}`);
  const byUser = new Map<string, TokenEntry[]>();
  for (const e of entries) {
    if (typeof e.user_id !== "string" || typeof e.access_token !== "string" || typeof e.device_id !== "string") {
      throw new Error(`${path}: every entry needs user_id, access_token and device_id`);
    }
    byUser.set(e.user_id, [...(byUser.get(e.user_id) ?? []), e]);
  }
  return {
    kind: "tokens",
    manageDevices: false,
    reused: true,
    async obtain(_driver, count, deviceNames) {
      const users = [...byUser.values()].filter((list) => list.length >= deviceNames.length);
      if (users.length < count) throw new Error(`${path}: need ${count} users with ${deviceNames.length} devices each, found ${users.length}`);
      return users.slice(0, count).map((list) => {
        const first = list[0] as TokenEntry;
        const sessions = list.slice(0, deviceNames.length).map((e) => ({ userId: e.user_id, deviceId: e.device_id, accessToken: e.access_token }));
        return { userId: first.user_id, password: first.password ?? null, sessions };
      });
    },
  };
}
