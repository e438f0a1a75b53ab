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
import type { Effect, InternalEffect } from "./effects.ts";
import { type Policies, type PolicyOverrides, withPolicies } from "./policies.ts";
import { applyPushCommand, applyPushResult, type PushCommand, type PushOutcome, type PushResultCommand } from "./push-commands.ts";
import { deviceDeleted, emptyPushState, onPushTimer, type PushState, resumePushers } from "./push/notifier.ts";
import {
  createRemote,
  expireRemote,
  federationResultCommand,
  type FederationResultCommand,
  federationTimer,
  forwardToDevice,
  type ReceiveTransactionCommand,
  type ReceiveTransactionOutcome,
  type RemoteState,
  receiveTransactionCommand,
  resumeRemote,
} from "./remote.ts";
import { applyRoomCommand, type RoomCommand, type RoomOutcome } from "./room-commands.ts";
import { emptyRooms } from "./rooms/room-state.ts";
import type { RoomsState } from "./rooms/room-state.ts";
import { type FullSyncResult, fullSync, type SyncCommand } from "./sync.ts";
import { createToDeviceState, expireUndelivered, oldestPendingAt, purgeInbox, type ToDeviceState } from "./todevice/inboxes.ts";
import { sendToDevice } from "./todevice/send.ts";
import { syncToDevice } from "./todevice/sync.ts";
import { createTxnStore, expireTxns, nextTxnExpiry, type TxnStore } from "./transactions.ts";

export interface HomeserverConfig {
  readonly serverName: ServerName;
  readonly policies?: PolicyOverrides;
  /**
   * A short string the driver makes once, when the server's data is created (and keeps with
   * it): the prefix of federation message ids and transaction ids, so ids stay unique even if
   * the data is wiped and the server starts again. Default "c".
   */
  readonly epoch?: string;
}

export interface HomeserverState {
  readonly accounts: AccountsState;
  readonly todevice: ToDeviceState;
  readonly txns: TxnStore;
  readonly remote: RemoteState;
  readonly rooms: RoomsState;
  readonly push: PushState;
  readonly ids: { counter: number };
}

export interface Homeserver {
  readonly serverName: ServerName;
  readonly epoch: string;
  readonly policies: Policies;
  readonly state: HomeserverState;
}

export interface Applied<O = AnyOutcome> {
  readonly outcome: O;
  readonly effects: Effect[];
}

/** What the command modules return, before `federation.enqueue` is routed to the outbox. */
export interface Handled<O = AnyOutcome> {
  readonly outcome: O;
  readonly effects: InternalEffect[];
}

/** Every command the homeserver engine accepts. */
export type HomeserverCommand =
  | Command
  | SyncCommand
  | RoomCommand
  | PushCommand
  | PushResultCommand
  | ReceiveTransactionCommand
  | FederationResultCommand
  | { readonly type: "timer"; readonly id: string };

type Handled2 = { readonly ok: true };
export type AnyOutcome = Outcome | FullSyncResult | RoomOutcome | PushOutcome | ReceiveTransactionOutcome | Handled2 | Failure;

export type HomeserverOutcomeOf<C extends HomeserverCommand> = [C] extends [Command]
  ? OutcomeOf<C>
  : [C] extends [SyncCommand]
    ? FullSyncResult | Failure
    : [C] extends [RoomCommand]
      ? RoomOutcome
      : [C] extends [PushCommand]
        ? PushOutcome
        : [C] extends [ReceiveTransactionCommand]
          ? ReceiveTransactionOutcome
          : Handled2;

export function createHomeserver(config: HomeserverConfig): Homeserver {
  const policies = withPolicies(config.policies);
  return {
    serverName: config.serverName,
    epoch: config.epoch ?? "c",
    policies,
    state: {
      accounts: createAccounts(),
      todevice: createToDeviceState(),
      txns: createTxnStore(),
      remote: createRemote(config.serverName, policies),
      rooms: emptyRooms(),
      push: emptyPushState(),
      ids: { counter: 0 },
    },
  };
}

export function apply<C extends Command>(hs: Homeserver, command: C, now: number): Applied<OutcomeOf<C>>;
export function apply<C extends HomeserverCommand>(hs: Homeserver, command: C, now: number): Applied<HomeserverOutcomeOf<C>>;
export function apply(hs: Homeserver, command: HomeserverCommand, now: number): Applied {
  // `dispatch` answers each command type with that type's outcome; the union loses the pairing.
  const handled = dispatch(hs, command, now);
  const effects: Effect[] = [];
  for (const e of handled.effects) {
    if (e.kind === "federation.enqueue") effects.push(...forwardToDevice(hs, e, now));
    else effects.push(e);
  }
  return { outcome: handled.outcome, effects };
}

/** After a restart from a journal: effects that were outstanding (sends in flight, timers). */
export function resume(hs: Homeserver): Effect[] {
  return [...resumeRemote(hs), ...resumePushers(hs.state.push)];
}

function dispatch(hs: Homeserver, command: HomeserverCommand, now: number): Handled {
  const accounts = hs.state.accounts;
  switch (command.type) {
    case "register":
      return { outcome: register(accounts, hs.serverName, command), effects: [] };
    case "login":
      return { outcome: login(accounts, hs.serverName, command), effects: [] };
    case "logout":
      return logout(hs, command.token, now);
    case "whoami": {
      const who = authenticate(accounts, command.token);
      return { outcome: who.ok ? { ok: true, userId: who.userId, deviceId: who.deviceId } : who, effects: [] };
    }
    case "listDevices": {
      const who = authenticate(accounts, command.token);
      return { outcome: who.ok ? { ok: true, devices: listDevices(accounts, who.userId) } : who, effects: [] };
    }
    case "deleteDevice":
      return deleteDevice(hs, command, now);
    case "sendToDevice":
      return sendToDevice(hs, command, now);
    case "syncToDevice":
      return syncToDevice(hs, command);
    case "expire":
      return { outcome: expire(hs, now), effects: [] };
    case "sync":
      return { ...fullSync(hs, command), effects: [] };
    case "receiveTransaction":
      return receiveTransactionCommand(hs, command, now);
    case "federationResult":
      return { outcome: { ok: true }, effects: federationResultCommand(hs, command, now) };
    case "pushResult":
      return { outcome: { ok: true }, effects: applyPushResult(hs, command, now) };
    case "timer":
      return { outcome: { ok: true }, effects: onPushTimer(hs.state.push, command.id, now) ?? federationTimer(hs, command.id, now) };
    case "setPusher":
    case "getPushers":
    case "getPushRules":
    case "getPushRule":
    case "setPushRule":
    case "deletePushRule":
    case "setPushRuleEnabled":
    case "setPushRuleActions":
      return applyPushCommand(hs, command, now);
    default:
      return applyRoomCommand(hs, command, now);
  }
}

/** Logging out deletes the token's device, as the client-server API says. */
function logout(hs: Homeserver, token: AccessToken | null, now: number): Handled<Done | Failure> {
  const who = authenticate(hs.state.accounts, token);
  if (!who.ok) return { outcome: who, effects: [] };
  // The token names a device of an account, so there is one to remove.
  removeDevice(hs.state.accounts, who.userId, who.deviceId);
  return { outcome: { ok: true }, effects: afterDeviceRemoved(hs, who, now) };
}

function deleteDevice(hs: Homeserver, command: DeleteDeviceCommand, now: number): Handled<Done | Failure> {
  const who = authenticate(hs.state.accounts, command.token);
  if (!who.ok) return { outcome: who, effects: [] };
  if (!removeDevice(hs.state.accounts, who.userId, command.deviceId)) {
    return { outcome: failure("M_NOT_FOUND", "No such device."), effects: [] };
  }
  return { outcome: { ok: true }, effects: afterDeviceRemoved(hs, { userId: who.userId, deviceId: command.deviceId }, now) };
}

/**
 * What goes with a removed device: under policy device-deletion `purge-at-deletion` (TD-26), its
 * inbox up to the stream position now, so a device re-created later with this id starts empty.
 */
function afterDeviceRemoved(hs: Homeserver, device: Identity, now: number): Effect[] {
  if (hs.policies.deviceDeletion === "purge-at-deletion") {
    purgeInbox(hs.state.todevice, device.userId, device.deviceId, hs.state.todevice.position);
  }
  // PUSH-39: a deleted device's pushers go with it.
  return deviceDeleted(hs.state.push, device.userId, device.deviceId, hs.policies.push, now);
}

/** TD-45 (txn-retention), TD-25 (undelivered-expiry): the time-driven cleanup. */
function expire(hs: Homeserver, now: number): ExpireResult {
  const { txnRetentionMs, undeliveredExpiryMs } = hs.policies;
  const txnsExpired = expireTxns(hs.state.txns, now, txnRetentionMs);
  expireRemote(hs, now);
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
