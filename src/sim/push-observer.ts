/**
 * What each pusher's queue took in: the notifications the homeserver enqueued (event
 * notifications and badge-only updates), read from the engine's pusher queues after every
 * command. Only room commands (events, receipts, membership) append; results and timers only
 * take from the head. So after a room command the entries past what was already seen are new,
 * and after any other command the count simply follows the queue down.
 */
import type { HomeserverCommand } from "../engine/homeserver.ts";
import { pendingNotifications } from "../engine/push/pusher-queue.ts";
import type { PusherId } from "../engine/push/pushers.ts";
import { notifiedEventId } from "./history.ts";
import type { HomeserverNode } from "./nodes.ts";
import type { World } from "./world.ts";

const APPENDING: ReadonlySet<string> = new Set(["sendEvent", "setReceipt", "createRoom", "invite", "join", "leave", "setState", "setDisplayName"]);

export function observePushers(w: World, node: HomeserverNode, command: HomeserverCommand | null): void {
  const appends = command !== null && APPENDING.has(command.type);
  const queues = node.engine.hs.state.push.queues;
  for (const pusher of w.history.pushers.values()) {
    if (pusher.server !== node.index) continue;
    const queue = queues.get(pusher.pusherId as PusherId);
    const pending = queue === undefined ? [] : pendingNotifications(queue);
    if (appends) {
      for (let i = pusher.observed; i < pending.length; i++) {
        pusher.log.push({ kind: "enqueued", at: w.now, eventId: notifiedEventId(pending[i]) });
      }
    }
    pusher.observed = pending.length;
  }
}
