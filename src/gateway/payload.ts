/**
 * What a provider is given for one device: a ping, not the message. GW-11: content is not sent
 * through the push provider; the notification only tells the app to sync. So the payload keeps
 * the ids, the counts and the priority, and the one device it is for (its `data` and `tweaks`
 * are the app's own settings), and leaves out `content`, sender and room names.
 */
import type { NotifyDevice, NotifyNotification } from "./notify-body.ts";

export function providerPayload(notification: NotifyNotification, device: NotifyDevice): NotifyNotification {
  // GW-1: "high" is assumed when prio is absent; GW-2: providers get the priority to act on.
  const ping: { -readonly [K in keyof NotifyNotification]: NotifyNotification[K] } = {
    prio: notification.prio ?? "high",
    devices: [device],
  };
  if (notification.event_id !== undefined) ping.event_id = notification.event_id;
  if (notification.room_id !== undefined) ping.room_id = notification.room_id;
  // GW-20: a count left out means zero, so counts pass through as given.
  if (notification.counts !== undefined) ping.counts = notification.counts;
  return ping;
}
