/**
 * The homeserver engine: `apply(hs, command, now)` → `{ outcome, effects }`.
 *
 * Pure in the sense of DESIGN.md: no I/O, no timers, no clock, no randomness. Time and fresh ids
 * come in with the command; state is updated in place, deterministically, so replaying the
 * journal of accepted commands (with their `now`) rebuilds it.
 *
 * State lives in named sub-objects, one per concern; the dispatch below is a plain switch over
 * the `Command` union, one case per command type, so new commands slot in beside these.
 */
import type { AccessToken, ServerName } from "../ids.ts";
import {
  type AccountsState,
  authenticate,
  type Identity,
  createAccounts,
  listDevices,
  login,
  register,
  removeDevice,
} from "./accounts.ts";
import {
  type Command,
  type DeleteDeviceCommand,
  type Done,
  type ExpireResult,
  type Failure,
  failure,
  type Outcome,
  type OutcomeOf,
} from "./commands.ts";
import type { Effect } from "./effects.ts";
import { type Policies, withPolicies } from "./policies.ts";
import { createToDeviceState, expireUndelivered, oldestPendingAt, purgeInbox, type ToDeviceState } from "./todevice/inboxes.ts";
import { sendToDevice } from "./todevice/send.ts";
import { syncToDevice } from "./todevice/sync.ts";
import { createTxnStore, expireTxns, nextTxnExpiry, type TxnStore } from "./transactions.ts";

export interface HomeserverConfig {
  readonly serverName: ServerName;
  readonly policies?: Partial<Policies>;
}

export interface HomeserverState {
  readonly accounts: AccountsState;
  readonly todevice: ToDeviceState;
  readonly txns: TxnStore;
}

export interface Homeserver {
  readonly serverName: ServerName;
  readonly policies: Policies;
  readonly state: HomeserverState;
}

export interface Applied<O = Outcome> {
  readonly outcome: O;
  readonly effects: Effect[];
}

export function createHomeserver(config: HomeserverConfig): Homeserver {
  return {
    serverName: config.serverName,
    policies: withPolicies(config.policies),
    state: { accounts: createAccounts(), todevice: createToDeviceState(), txns: createTxnStore() },
  };
}

export function apply<C extends Command>(hs: Homeserver, command: C, now: number): Applied<OutcomeOf<C>> {
  // `dispatch` answers each command type with that type's outcome; the union loses the pairing.
  return dispatch(hs, command, now) as Applied<OutcomeOf<C>>;
}

function dispatch(hs: Homeserver, command: Command, now: number): Applied {
  const accounts = hs.state.accounts;
  switch (command.type) {
    case "register":
      return { outcome: register(accounts, hs.serverName, command), effects: [] };
    case "login":
      return { outcome: login(accounts, hs.serverName, command), effects: [] };
    case "logout":
      return { outcome: logout(hs, command.token), effects: [] };
    case "whoami": {
      const who = authenticate(accounts, command.token);
      return { outcome: who.ok ? { ok: true, userId: who.userId, deviceId: who.deviceId } : who, effects: [] };
    }
    case "listDevices": {
      const who = authenticate(accounts, command.token);
      return { outcome: who.ok ? { ok: true, devices: listDevices(accounts, who.userId) } : who, effects: [] };
    }
    case "deleteDevice":
      return { outcome: deleteDevice(hs, command), effects: [] };
    case "sendToDevice":
      return sendToDevice(hs, command, now);
    case "syncToDevice":
      return syncToDevice(hs, command);
    case "expire":
      return { outcome: expire(hs, now), effects: [] };
  }
}

/** Logging out deletes the token's device, as the client-server API says. */
function logout(hs: Homeserver, token: AccessToken | null): Done | Failure {
  const who = authenticate(hs.state.accounts, token);
  if (!who.ok) return who;
  forgetDevice(hs, who);
  return { ok: true };
}

function deleteDevice(hs: Homeserver, command: DeleteDeviceCommand): Done | Failure {
  const who = authenticate(hs.state.accounts, command.token);
  if (!who.ok) return who;
  if (!forgetDevice(hs, { userId: who.userId, deviceId: command.deviceId })) {
    return failure("M_NOT_FOUND", "No such device.");
  }
  return { ok: true };
}

/**
 * Remove a device, its token and, under policy device-deletion `purge-at-deletion` (TD-26), its
 * inbox up to the stream position now, so a device re-created later with this id starts empty.
 */
function forgetDevice(hs: Homeserver, device: Identity): boolean {
  if (!removeDevice(hs.state.accounts, device.userId, device.deviceId)) return false;
  if (hs.policies.deviceDeletion === "purge-at-deletion") {
    purgeInbox(hs.state.todevice, device.userId, device.deviceId, hs.state.todevice.position);
  }
  return true;
}

/** TD-45 (txn-retention), TD-25 (undelivered-expiry): the time-driven cleanup. */
function expire(hs: Homeserver, now: number): ExpireResult {
  const { txnRetentionMs, undeliveredExpiryMs } = hs.policies;
  const txnsExpired = expireTxns(hs.state.txns, now, txnRetentionMs);
  let messagesExpired = 0;
  let nextExpiryAt = nextTxnExpiry(hs.state.txns, txnRetentionMs);
  if (undeliveredExpiryMs !== "none") {
    messagesExpired = expireUndelivered(hs.state.todevice, now - undeliveredExpiryMs);
    const oldest = oldestPendingAt(hs.state.todevice);
    if (oldest !== null) {
      const at = oldest + undeliveredExpiryMs;
      nextExpiryAt = nextExpiryAt === null ? at : Math.min(nextExpiryAt, at);
    }
  }
  return { ok: true, txnsExpired, messagesExpired, nextExpiryAt };
}
