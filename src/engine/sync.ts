/**
 * `GET /sync` as far as Courier serves it: the `to_device` section (TD-20…TD-23, with its
 * implicit acknowledgement) and a minimal `rooms` section from the room model. The sync token
 * joins the two streams as `<to-device position>_<room position>`; a bare number (a token from
 * `syncToDevice`) is read as a to-device position with the room stream at its start.
 */
import type { AccessToken, StreamToken } from "../ids.ts";
import { authenticate } from "./accounts.ts";
import { type Failure, failure, type ToDeviceEvent } from "./commands.ts";
import type { Homeserver } from "./homeserver.ts";
import { type RoomsSince, timelineSince } from "./rooms/room-sync.ts";
import { toDeviceSince } from "./todevice/sync.ts";

export interface SyncCommand {
  readonly type: "sync";
  readonly token: AccessToken | null;
  readonly since?: string;
  readonly timelineLimit?: number;
}

export interface FullSyncResult {
  readonly ok: true;
  readonly nextBatch: StreamToken;
  readonly toDevice: readonly ToDeviceEvent[];
  readonly rooms: RoomsSince;
}

/** The two positions of a since token, or null when it is malformed. No since is 0 for both. */
function splitToken(since: string | undefined): { toDevice: number; rooms: number } | null {
  if (since === undefined) return { toDevice: 0, rooms: 0 };
  const m = /^([0-9]{1,15})(?:_([0-9]{1,15}))?$/.exec(since);
  if (m === null) return null;
  return { toDevice: Number(m[1]), rooms: Number(m[2] ?? 0) };
}

export function fullSync(hs: Homeserver, cmd: SyncCommand): { outcome: FullSyncResult | Failure } {
  const parts = splitToken(cmd.since);
  if (parts === null) return { outcome: failure("M_INVALID_PARAM", `malformed since token ${JSON.stringify(cmd.since)}`) };
  const session = authenticate(hs.state.accounts, cmd.token);
  if (!session.ok) return { outcome: session };
  // Positions from the future are clamped to the heads of their streams (TD-21).
  const td = toDeviceSince(hs, session, Math.min(parts.toDevice, hs.state.todevice.position));
  const roomSince = Math.min(parts.rooms, hs.state.rooms.position);
  const rooms = timelineSince(hs.state.rooms, session.userId, roomSince, cmd.timelineLimit);
  const nextBatch = `${td.nextBatch}_${rooms.nextBatch}` as StreamToken;
  return { outcome: { ok: true, nextBatch, toDevice: td.events, rooms } };
}
