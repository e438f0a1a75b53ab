/**
 * The JSON body of `GET /sync` (api/client-server/sync.yaml, SyncResponse) from the engine's
 * sync result: `to_device.events` exactly as the engine lists them (TD-20), and the minimal
 * `rooms` section. An invite shows its invite event as stripped state.
 */
import type { Json } from "../canonical-json.ts";
import type { RoomEvent } from "../engine/rooms/room-state.ts";
import type { FullSyncResult } from "../engine/sync.ts";

function clientEvent(e: RoomEvent): Json {
  return { ...e } as unknown as Json;
}

function stripped(e: RoomEvent): Json {
  return { type: e.type, state_key: e.state_key ?? "", sender: e.sender, content: e.content };
}

export function syncBody(result: FullSyncResult): Json {
  const join: Record<string, Json> = {};
  const invite: Record<string, Json> = {};
  const leave: Record<string, Json> = {};
  for (const room of result.rooms.rooms) {
    const timeline = { events: room.events.map(clientEvent), limited: room.limited };
    if (room.membership === "join") join[room.roomId] = { timeline, state: { events: [] }, ephemeral: { events: [] } };
    else if (room.membership === "invite") invite[room.roomId] = { invite_state: { events: room.events.map(stripped) } };
    else leave[room.roomId] = { timeline, state: { events: [] } };
  }
  return {
    next_batch: result.nextBatch,
    rooms: { join, invite, leave },
    to_device: { events: result.toDevice as unknown as Json },
  };
}

/** True when the response carries anything for the client (otherwise a long-poll waits). */
export function syncHasNews(result: FullSyncResult): boolean {
  return result.toDevice.length > 0 || result.rooms.rooms.some((r) => r.events.length > 0);
}
