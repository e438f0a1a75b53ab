/**
 * Deliberately broken engines, for tests only, built by wrapping the reference engines through
 * the world's factory hooks (`SimHooks`). Each departs from one rule the way real servers have,
 * so the simulation can be shown to catch it. Every wrapper is deterministic and keeps its own
 * state inside the engine it builds, so a crashed server replays its journal into the same
 * broken behaviour.
 */
import type { Effect } from "../../src/engine/effects.ts";
import type { HomeserverCommand, HomeserverConfig } from "../../src/engine/homeserver.ts";
import { destinationState } from "../../src/engine/federation/destinations.ts";
import type { ServerName, TxnId } from "../../src/ids.ts";
import { type GatewayEngine, type HomeserverEngine, referenceGateway, referenceHomeserver, type SimHooks } from "../../src/sim/index.ts";

export interface Variant {
  readonly name: string;
  /** The guarantee the variant breaks, as the verdict names it. */
  readonly breaks: string;
  readonly hooks: SimHooks;
}

type Wrap = (inner: HomeserverEngine, config: HomeserverConfig) => HomeserverEngine;

function homeserverVariant(wrap: Wrap, adjust: (config: HomeserverConfig) => HomeserverConfig = (c) => c): SimHooks {
  return { homeserver: (config) => wrap(referenceHomeserver(adjust(config)), adjust(config)) };
}

function afterCommand(inner: HomeserverEngine, after: (command: HomeserverCommand) => void): HomeserverEngine {
  return {
    hs: inner.hs,
    apply(command, now) {
      const applied = inner.apply(command, now);
      after(command);
      return applied;
    },
    resume: () => inner.resume(),
  };
}

/** The in-flight transaction to `destination` just failed and is waiting to be retried. */
function failedInFlight(inner: HomeserverEngine, command: HomeserverCommand): { destination: ServerName } | null {
  if (command.type !== "federationResult" || command.result.ok) return null;
  const destinations = inner.hs.state.remote.destinations;
  const queue = destinations.outbox.queues[command.destination];
  if (queue?.inFlight?.txnId !== command.txnId || destinationState(destinations, command.destination) !== "backingOff") return null;
  return { destination: command.destination };
}

/**
 * FED-18 broken: the receiver keeps no (origin, message_id) memory, while its memory of
 * answered transactions holds one entry (a bound the engine allows); so a retransmission that
 * arrives after another origin's transaction is applied again.
 */
export const noMessageIdDedupe: Variant = {
  name: "receiver without (origin, message_id) dedupe",
  breaks: "exactly-once",
  hooks: homeserverVariant(
    (inner) => {
      Object.assign(inner.hs.state.remote.inbound.config, { maxRememberedTransactions: 1 });
      return inner;
    },
    (config) => ({ ...config, policies: { ...config.policies, federation: { ...config.policies?.federation, messageIdRetentionMs: 0 } } }),
  ),
};

/** The reference receiver with the same one-entry transaction memory: message ids alone keep it exactly-once. */
export const boundedTransactionMemory: SimHooks = homeserverVariant((inner) => {
  Object.assign(inner.hs.state.remote.inbound.config, { maxRememberedTransactions: 1 });
  return inner;
});

/** FED-21 broken: a retry builds a new transaction (new txnId, new message ids) from the same messages. */
export const newTransactionOnRetry: Variant = {
  name: "federation retry that builds a new transaction",
  breaks: "exactly-once",
  hooks: homeserverVariant((inner) => {
    let fresh = 0;
    return afterCommand(inner, (command) => {
      const failed = failedInFlight(inner, command);
      const queue = failed === null ? undefined : inner.hs.state.remote.destinations.outbox.queues[failed.destination];
      if (queue?.inFlight == null) return;
      const edus = queue.inFlight.edus.map((edu) => ({ ...edu, content: { ...edu.content, message_id: `rebuilt${++fresh}` } }));
      queue.inFlight = { ...queue.inFlight, txnId: `rebuilt${++fresh}` as TxnId, edus };
    });
  }),
};

/** FED-21 broken: the outbox forgets a transaction's EDUs when sending it fails. */
export const dropOnFailure: Variant = {
  name: "outbox that drops on failure",
  breaks: "exactly-once",
  hooks: homeserverVariant((inner) =>
    afterCommand(inner, (command) => {
      const failed = failedInFlight(inner, command);
      const queue = failed === null ? undefined : inner.hs.state.remote.destinations.outbox.queues[failed.destination];
      if (queue !== undefined) queue.inFlight = null;
    }),
  ),
};

/** FED-20 broken: a receiver applies a transaction's EDUs last first. */
export const unorderedEdus: Variant = {
  name: "unordered EDU application",
  breaks: "order",
  hooks: homeserverVariant((inner) => ({
    hs: inner.hs,
    apply(command, now) {
      if (command.type !== "receiveTransaction" || typeof command.body !== "object" || command.body === null || !("edus" in command.body) || !Array.isArray(command.body.edus)) {
        return inner.apply(command, now);
      }
      return inner.apply({ ...command, body: { ...command.body, edus: [...command.body.edus].reverse() } }, now);
    },
    resume: () => inner.resume(),
  })),
};

const PUSH_TIMER = "push.backoff:";

function immediate(effects: Effect[], now: number | null): Effect[] {
  return effects.map((e) => (e.kind === "timer" && e.id.startsWith(PUSH_TIMER) ? { ...e, at: now ?? 0 } : e));
}

/** PUSH-60 broken: a failed notification is retried at once, not after the back-off. */
export const pusherWithoutBackoff: Variant = {
  name: "pusher with no back-off",
  breaks: "backoff-bounds",
  hooks: homeserverVariant((inner) => ({
    hs: inner.hs,
    apply(command, now) {
      const applied = inner.apply(command, now);
      return { outcome: applied.outcome, effects: immediate(applied.effects, now) };
    },
    resume: () => immediate(inner.resume(), null),
  })),
};

/** PUSH-29, PUSH-30 broken: the homeserver ignores `rejected` and keeps the pusher. */
export const pusherIgnoresRejected: Variant = {
  name: "pusher that ignores rejected",
  breaks: "no-send-after-reject",
  hooks: homeserverVariant((inner) => ({
    hs: inner.hs,
    apply(command, now) {
      if (command.type !== "pushResult" || !command.result.ok) return inner.apply(command, now);
      return inner.apply({ ...command, result: { ...command.result, rejected: [] } }, now);
    },
    resume: () => inner.resume(),
  })),
};

/** GW-17 broken: the gateway forgets every (event_id, pushkey) it has answered. */
export const gatewayWithoutDedupe: Variant = {
  name: "gateway without dedupe",
  breaks: "push-exactly-once-at-provider",
  hooks: {
    gateway: (config, state): GatewayEngine => {
      const inner = referenceGateway(config, state);
      return {
        gw: inner.gw,
        apply(command, now) {
          const dedupe = inner.gw.state.dedupe;
          for (const key of Object.keys(dedupe)) delete dedupe[key];
          return inner.apply(command, now);
        },
      };
    },
  },
};

export const VARIANTS: readonly Variant[] = [
  noMessageIdDedupe,
  newTransactionOnRetry,
  dropOnFailure,
  unorderedEdus,
  pusherWithoutBackoff,
  pusherIgnoresRejected,
  gatewayWithoutDedupe,
];
