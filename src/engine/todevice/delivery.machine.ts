/**
 * The delivery lifecycle of one send-to-device message for one device: the SPECIFICATION the
 * engine refines. The engine never steps this machine per message (xstate's pure `transition`
 * runs about 95,000 steps/s, far too slow per message); it stores a message as a position in an
 * inbox plus a per-inbox watermark, and `deliveryStateOf` (delivery-abstraction.ts) maps that
 * back to these states. A property test (test/properties/refinement.test.ts) checks that every
 * engine step moves each message it touches along a transition below, and no other message.
 *
 * States and transitions, with the clauses they stand for:
 *
 *   accepted      the request that carries the message was accepted (TD-1, TD-9).
 *     STORE          → pending       stored in the device's inbox (TD-19), at the next stream
 *                                    position, after every earlier message (TD-20).
 *   pending       stored, not yet listed by any sync.
 *     RETURN         → returned      listed by a sync (TD-17, TD-20, TD-30), within the
 *                                    per-sync limit (TD-22, TD-23).
 *     ACK            → dropped       a since at or above its position arrived although no sync
 *                                    ever listed it (a token the server did not issue to this
 *                                    device for it: forged, from another device, or from the
 *                                    future and clamped). The server deletes it (TD-21), unseen.
 *     DEVICE_DELETED → dropped       the device was deleted; policy device-deletion (TD-26).
 *     EXPIRE         → dropped       policy undelivered-expiry (TD-25).
 *   returned      listed by a sync, not yet acknowledged.
 *     RETURN         → returned      listed again by a sync without since, or with an older
 *                                    since (TD-52): un-acknowledged messages come back.
 *     ACK            → acknowledged  a sync with since at or above its position: the server
 *                                    infers delivery and deletes it (TD-21, TD-53).
 *     DEVICE_DELETED → dropped       as above (TD-26).
 *     EXPIRE         → dropped       as above (TD-25).
 *   acknowledged  final: delivered and deleted; no sync returns it again (TD-11, TD-53).
 *   dropped       final: deleted without delivery, by a policy or a token that skipped it.
 */
import { setup } from "xstate";

export type DeliveryEvent =
  | { readonly type: "STORE" }
  | { readonly type: "RETURN" }
  | { readonly type: "ACK" }
  | { readonly type: "DEVICE_DELETED" }
  | { readonly type: "EXPIRE" };

export type DeliveryStateValue = "accepted" | "pending" | "returned" | "acknowledged" | "dropped";

export const DELIVERY_EVENTS: readonly DeliveryEvent[] = [
  { type: "STORE" },
  { type: "RETURN" },
  { type: "ACK" },
  { type: "DEVICE_DELETED" },
  { type: "EXPIRE" },
];

// Stryker disable next-line ObjectLiteral: `types` only informs the TypeScript checker; xstate reads nothing from it at run time
export const deliveryMachine = setup({
  // Stryker disable next-line ObjectLiteral: as above, a type-only declaration
  types: { events: {} as DeliveryEvent },
}).createMachine({
  id: "delivery",
  initial: "accepted",
  states: {
    accepted: {
      on: { STORE: "pending" },
    },
    pending: {
      on: {
        RETURN: "returned",
        ACK: "dropped",
        DEVICE_DELETED: "dropped",
        EXPIRE: "dropped",
      },
    },
    returned: {
      on: {
        RETURN: "returned",
        ACK: "acknowledged",
        DEVICE_DELETED: "dropped",
        EXPIRE: "dropped",
      },
    },
    acknowledged: { type: "final" },
    dropped: { type: "final" },
  },
});
