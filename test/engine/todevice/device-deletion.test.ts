// Checks what deleting or logging out a device does to its inbox under policy device-deletion
// (TD-26): purged up to the stream position at deletion, or kept; assumes one homeserver.
import { describe, expect, test } from "vitest";
import { apply } from "../../../src/engine/homeserver.ts";
import type { DeviceId } from "../../../src/ids.ts";
import { purgeInbox } from "../../../src/engine/todevice/inboxes.ts";
import { pendingPositions } from "../../../src/engine/todevice/inbox.ts";
import { contents, TestServer } from "../session.ts";

function world(policy: "purge-at-deletion" | "keep") {
  const s = new TestServer({ deviceDeletion: policy });
  const alice = s.register("alice", "A");
  const bob = s.register("bob", "PHONE");
  s.send(alice, "m.x", "1", { [bob.userId]: { PHONE: { n: 1 } } });
  s.send(alice, "m.x", "2", { [bob.userId]: { PHONE: { n: 2 } } });
  const deleteBobsPhone = () =>
    apply(s.hs, { type: "deleteDevice", token: bob.token, deviceId: "PHONE" as DeviceId }, s.now).outcome;
  return { s, alice, bob, deleteBobsPhone };
}

describe("TD-26 device deletion", () => {
  test("purge-at-deletion (default): a device re-created with the same id starts empty", () => {
    const { s, alice, bob, deleteBobsPhone } = world("purge-at-deletion");
    expect(deleteBobsPhone()).toEqual({ ok: true });
    expect(s.hs.state.todevice.inboxes.size).toBe(0);
    // While the device is gone, messages to it are skipped (TD-27).
    s.send(alice, "m.x", "3", { [bob.userId]: { PHONE: { n: 3 } } });
    const phone = s.login(bob.userId, "PHONE");
    s.send(alice, "m.x", "4", { [bob.userId]: { PHONE: { n: 4 } } });
    expect(contents(s.syncOk(phone).events)).toEqual([{ n: 4 }]);
  });

  test("purge-at-deletion: the purge bound spares messages stored after the deletion position", () => {
    // The engine purges synchronously, so nothing can land in between; the bound itself is
    // checked on the store: a purge up to position 2 leaves position 3 alone.
    const { s, alice, bob } = world("keep");
    s.send(alice, "m.x", "3", { [bob.userId]: { PHONE: { n: 3 } } });
    expect(purgeInbox(s.hs.state.todevice, bob.userId, bob.deviceId, 2)).toBe(2);
    const inbox = s.hs.state.todevice.inboxes.get(bob.userId)?.get(bob.deviceId);
    expect(inbox && pendingPositions(inbox)).toEqual([3]);
  });

  test("logout deletes the device and so purges its inbox too", () => {
    const { s, bob } = world("purge-at-deletion");
    expect(apply(s.hs, { type: "logout", token: bob.token }, s.now).outcome).toEqual({ ok: true });
    expect(s.syncOk(s.login(bob.userId, "PHONE")).events).toEqual([]);
  });

  test("keep: the re-created device receives what was pending at deletion", () => {
    const { s, bob, deleteBobsPhone } = world("keep");
    expect(deleteBobsPhone()).toEqual({ ok: true });
    expect(contents(s.syncOk(s.login(bob.userId, "PHONE")).events)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test("deleting one device leaves the user's other inboxes alone", () => {
    const { s, alice, bob, deleteBobsPhone } = world("purge-at-deletion");
    const laptop = s.login(bob.userId, "LAPTOP");
    s.send(alice, "m.x", "3", { [bob.userId]: { "*": { n: 3 } } });
    deleteBobsPhone();
    expect(contents(s.syncOk(laptop).events)).toEqual([{ n: 3 }]);
  });
});
