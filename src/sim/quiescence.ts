/**
 * When a run is over: the workload is done, faults have healed, every node is up, every client
 * has its answers, and no engine holds anything undelivered: no federation outbox entries, no
 * pending to-device messages for any device, no pusher with a notification queued, no gateway
 * lane with a delivery under way. Reading engine state here is the driver's privilege; the
 * verdicts themselves come from the recorded history only.
 */
import { inboxOf } from "../engine/todevice/inboxes.ts";
import { pendingCount } from "../engine/todevice/inbox.ts";
import { pendingNotifications } from "../engine/push/pusher-queue.ts";
import type { HomeserverNode } from "./nodes.ts";
import type { World } from "./world.ts";

function serverIdle(w: World, node: HomeserverNode): boolean {
  const state = node.engine.hs.state;
  for (const queue of Object.values(state.remote.destinations.outbox.queues)) {
    if (queue.inFlight !== null || queue.queued.length > 0) return false;
  }
  for (const queue of state.push.queues.values()) if (pendingNotifications(queue).length > 0) return false;
  for (const client of w.clients) {
    if (client.server !== node.index) continue;
    const inbox = inboxOf(state.todevice, client.userId, client.deviceId);
    if (inbox !== undefined && pendingCount(inbox) > 0) return false;
  }
  return true;
}

export function isQuiescent(w: World): boolean {
  if (!w.actionsDone || w.now < w.s.healAt) return false;
  if (w.clients.some((c) => c.current !== null || c.queueHead < c.queue.length)) return false;
  if (w.gateway !== null && (!w.gateway.up || Object.keys(w.gateway.engine.gw.state.lanes).length > 0)) return false;
  return w.nodes.every((node) => node.up && serverIdle(w, node));
}
