/**
 * Broken variants of the send-to-device engine and driver, for tests only. Each breaks one
 * guarantee the way real servers have (see research/to_device.md §3, §5), so the properties can
 * be shown to fail on it: a property that passes on a broken system proves nothing.
 */
import type { Command, OutcomeOf, SendToDeviceCommand } from "../../src/engine/commands.ts";
import type { Applied } from "../../src/engine/homeserver.ts";
import { streamToken, type TxnId } from "../../src/ids.ts";
import { type Driver, type Engine, journalingDriver, realEngine, type System } from "./model/world.ts";

type Wrap = (inner: Engine) => Engine;

function wrapping(name: string, wrap: Wrap): System {
  return { name, engine: (policies) => wrap(realEngine(policies)), driver: journalingDriver };
}

function override(inner: Engine, on: <C extends Command>(command: C, now: number) => Applied<OutcomeOf<C>>): Engine {
  return { hs: inner.hs, apply: on };
}

let unique = 0;

/** TD-39 broken: every request gets a fresh transaction id, so retransmissions deliver again. */
export const skipTxnDedupe = wrapping("skip txn dedupe", (inner) =>
  override(inner, (command, now) =>
    command.type === "sendToDevice"
      ? inner.apply({ ...command, txnId: `${command.txnId}#${unique++}` as TxnId }, now)
      : inner.apply(command, now),
  ),
);

/** TD-21 broken: messages are deleted as soon as a sync returns them, not on the next since. */
export const ackOnReturn = wrapping("ack on return", (inner) =>
  override(inner, (command, now) => {
    const applied = inner.apply(command, now);
    const out = applied.outcome;
    if (command.type === "syncToDevice" && out !== null && typeof out === "object" && "nextBatch" in out) {
      inner.apply({ type: "syncToDevice", token: command.token, since: out.nextBatch }, now);
    }
    return applied;
  }),
);

/** TD-20 broken: a response lists its events newest first (parallel decrypt, element-web#25723). */
export const reorderInbox = wrapping("reorder inbox", (inner) =>
  override(inner, (command, now) => {
    const applied = inner.apply(command, now);
    const out = applied.outcome;
    if (command.type !== "syncToDevice" || out === null || typeof out !== "object" || !("events" in out)) return applied;
    return { ...applied, outcome: { ...out, events: [...out.events].reverse() } } as typeof applied;
  }),
);

/** TD-54 broken, worse than synapse#11457: a cut response's next_batch is the stream head. */
export const dropPastLimit = wrapping("drop past the limit", (inner) =>
  override(inner, (command, now) => {
    const applied = inner.apply(command, now);
    const out = applied.outcome;
    if (command.type !== "syncToDevice" || out === null || typeof out !== "object" || !("events" in out)) return applied;
    if (out.events.length < inner.hs.policies.syncLimit) return applied;
    const head = streamToken(inner.hs.state.todevice.position);
    return { ...applied, outcome: { ...out, nextBatch: head } } as typeof applied;
  }),
);

/** TD-50 broken: a 413 request still stores the messages that were small enough. */
export const partial413 = wrapping("store a 413 request partially", (inner) =>
  override(inner, (command, now) => {
    const applied = inner.apply(command, now);
    const out = applied.outcome;
    if (command.type !== "sendToDevice" || out === null || typeof out !== "object" || out.ok !== false) return applied;
    if (out.error.errcode === "M_TOO_LARGE") inner.apply(withoutOversized(command), now);
    return applied;
  }),
);

function withoutOversized(command: SendToDeviceCommand): SendToDeviceCommand {
  const body = command.body as { messages: Record<string, Record<string, unknown>> };
  const messages: Record<string, Record<string, never>> = {};
  for (const [user, byDevice] of Object.entries(body.messages)) {
    const kept = Object.entries(byDevice).filter(([, content]) => JSON.stringify(content).length <= 65_536);
    messages[user] = Object.fromEntries(kept) as Record<string, never>;
  }
  return { ...command, txnId: `${command.txnId}#partial${unique++}` as TxnId, body: { messages } };
}

/**
 * TD-39 broken under concurrency only (conduwuit's window): the driver checks its own record of
 * transaction ids, awaits the store, and only then applies and records. Sequential
 * retransmissions are answered from the record; two in flight both pass the check.
 */
export const checkThenAct: System = {
  name: "check-then-act driver",
  engine: (policies) => skipTxnDedupe.engine(policies),
  driver(engine, store, now): Driver {
    const answered = new Map<string, unknown>();
    return {
      async request(command) {
        if (command.type !== "sendToDevice") return journalingDriver(engine, store, now).request(command);
        const who = command.token === null ? undefined : engine.hs.state.accounts.tokens.get(command.token);
        const key = JSON.stringify([who?.userId, who?.deviceId, command.eventType, command.txnId]);
        if (answered.has(key)) return answered.get(key) as OutcomeOf<typeof command>;
        await store();
        const outcome = engine.apply(command, now()).outcome;
        if (outcome.ok) answered.set(key, outcome);
        return outcome;
      },
    };
  },
};

export const VARIANTS: readonly System[] = [skipTxnDedupe, ackOnReturn, reorderInbox, dropPastLimit, partial413, checkThenAct];
