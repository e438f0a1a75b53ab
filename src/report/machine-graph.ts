/**
 * An XState machine's definition read back as a plain graph: every state node (with its kind,
 * whether it is its parent's initial state, its entry and exit actions, its targetless
 * transitions and the timers it arms) and every transition with a target (event, guard,
 * actions, and whether a timer fires it). Nothing is executed; only `machine.root` and
 * `machine.implementations` are read, so the diagram is generated from the definition itself.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from "xstate";

export type StateKind = "atomic" | "compound" | "parallel" | "final" | "history";

export interface StateVertex {
  /** The xstate state node id, e.g. `pusher.backingOff`. */
  readonly id: string;
  readonly key: string;
  readonly kind: StateKind;
  /** The state its parent enters first. */
  readonly initial: boolean;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  /** Transitions without a target: handled in place, shown inside the box. */
  readonly internal: readonly string[];
  /** Delayed events this state arms on entry; `action` is the entry label that arms it. */
  readonly timers: readonly Timer[];
  readonly children: readonly StateVertex[];
}

export interface Timer {
  readonly action: string;
  readonly event: string;
  readonly delay: string;
}

export type Trigger = "event" | "after" | "always";

export interface TransitionEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly trigger: Trigger;
  /** The event type; for `after` the delay (`after 1 s`), for `always` the word `always`. */
  readonly event: string;
  readonly guard?: string;
  readonly actions: readonly string[];
  /** Fired by a timer: an `after` transition, or an event the source state raises with a delay. */
  readonly timer: boolean;
  readonly reenter: boolean;
}

export interface MachineGraph {
  readonly id: string;
  readonly root: StateVertex;
  readonly edges: readonly TransitionEdge[];
}

interface Described {
  readonly type?: unknown;
  readonly event?: unknown;
  readonly delay?: unknown;
  readonly sendId?: unknown;
  readonly guards?: unknown;
  readonly name?: unknown;
}

function described(value: unknown): Described | undefined {
  return (typeof value === "object" || typeof value === "function") && value !== null ? (value as Described) : undefined;
}

export function delayText(delay: unknown): string {
  if (typeof delay === "string") return delay;
  if (typeof delay !== "number") return "a computed delay";
  if (delay >= 3_600_000 && delay % 3_600_000 === 0) return `${delay / 3_600_000} h`;
  if (delay >= 60_000 && delay % 60_000 === 0) return `${delay / 60_000} min`;
  if (delay >= 1_000 && delay % 1_000 === 0) return `${delay / 1_000} s`;
  return `${delay} ms`;
}

function eventName(event: unknown): string {
  const type = described(event)?.type;
  return typeof type === "string" ? type : "a computed event";
}

/** The delayed event an action raises, if it is `raise(event, { delay })`. */
function delayedRaise(action: unknown): { event: string; delay: string } | undefined {
  const shape = described(action);
  if (shape?.type !== "xstate.raise" || shape.delay === undefined) return undefined;
  return { event: eventName(shape.event), delay: delayText(shape.delay) };
}

function builtinActionText(shape: Described, type: string): string {
  if (type === "xstate.raise") {
    const timed = delayedRaise(shape);
    return timed === undefined ? `raise ${eventName(shape.event)}` : `raise ${timed.event} after ${timed.delay}`;
  }
  if (type === "xstate.cancel") return `cancel ${typeof shape.sendId === "string" ? shape.sendId : "timer"}`;
  return type.replace(/^xstate\./, "");
}

export function actionText(action: unknown): string {
  if (typeof action === "string") return action;
  const shape = described(action);
  if (shape === undefined) return "action";
  if (typeof shape.type === "string") {
    return shape.type.startsWith("xstate.") ? builtinActionText(shape, shape.type) : shape.type;
  }
  return typeof shape.name === "string" && shape.name !== "" ? shape.name : "action";
}

export function guardText(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === "string") return guard;
  const shape = described(guard);
  if (shape === undefined) return "guard";
  if (typeof shape.type === "string") return shape.type;
  const name = typeof shape.name === "string" ? shape.name : "";
  if (Array.isArray(shape.guards) && (name === "and" || name === "or" || name === "not")) {
    // A nested `and`/`or` keeps its own grouping in parentheses.
    const parts = shape.guards.map((inner) => {
      const text = guardText(inner) ?? "guard";
      return / (&&|\|\|) /.test(text) ? `(${text})` : text;
    });
    return name === "not" ? `!${parts.join("")}` : parts.join(name === "and" ? " && " : " || ");
  }
  return name === "" ? "guard" : name;
}

/** An action named in `setup({ actions })` resolved to its implementation, to spot delayed raises. */
function implementationOf(machine: AnyStateMachine, action: unknown): unknown {
  const name = typeof action === "string" ? action : described(action)?.type;
  const actions: Record<string, unknown> = machine.implementations.actions;
  return typeof name === "string" && Object.hasOwn(actions, name) ? actions[name] : action;
}

function actionLabel(machine: AnyStateMachine, action: unknown): string {
  const own = actionText(action);
  const timed = delayedRaise(implementationOf(machine, action));
  if (timed === undefined || own.startsWith("raise ")) return own;
  return `${own}: raise ${timed.event} after ${timed.delay}`;
}

const AFTER_PREFIX = "xstate.after.";

/**
 * Whether xstate added the action itself to implement an `after` transition (a delayed raise on
 * entry, its cancel on exit); the diagram shows those as the `after` edge instead.
 */
function generatedForAfter(action: unknown): boolean {
  const shape = described(action);
  const name = shape?.type === "xstate.raise" ? eventName(shape.event) : shape?.type === "xstate.cancel" ? shape.sendId : "";
  return typeof name === "string" && name.startsWith(AFTER_PREFIX);
}

function ownActions(actions: readonly unknown[]): unknown[] {
  return actions.filter((action) => !generatedForAfter(action));
}

function timersOf(machine: AnyStateMachine, node: AnyStateNode): Timer[] {
  return ownActions(node.entry).flatMap((action) => {
    const timed = delayedRaise(implementationOf(machine, action));
    return timed === undefined ? [] : [{ action: actionLabel(machine, action), ...timed }];
  });
}

interface Transition {
  readonly trigger: Trigger;
  readonly event: string;
  readonly targets: readonly AnyStateNode[];
  readonly guard?: string;
  readonly actions: readonly string[];
  readonly reenter: boolean;
}

function transitionsOf(machine: AnyStateMachine, node: AnyStateNode): Transition[] {
  const describe = (trigger: Trigger, event: string, t: AnyTransitionDefinition): Transition => {
    const guard = guardText(t.guard);
    return {
      trigger,
      event,
      targets: t.target ?? [],
      ...(guard === undefined ? {} : { guard }),
      actions: t.actions.map((action) => actionLabel(machine, action)),
      reenter: t.reenter,
    };
  };
  const found: Transition[] = [];
  for (const [eventType, list] of node.transitions) {
    // Delayed transitions are listed here under a generated name too; `after` describes them.
    if (eventType.startsWith(AFTER_PREFIX)) continue;
    for (const t of list) found.push(describe("event", eventType, t));
  }
  for (const t of node.after) found.push(describe("after", `after ${delayText(t.delay)}`, t));
  for (const t of node.always ?? []) found.push(describe("always", "always", t));
  return found;
}

export function transitionText(event: string, guard: string | undefined, actions: readonly string[]): string {
  const guarded = guard === undefined ? event : `${event} [${guard}]`;
  return actions.length === 0 ? guarded : `${guarded} / ${actions.join(", ")}`;
}

function vertexOf(machine: AnyStateMachine, node: AnyStateNode, initial: boolean): StateVertex {
  const firstChild = node.type === "compound" ? node.initial.target[0]?.key : undefined;
  const internal = transitionsOf(machine, node)
    .filter((t) => t.targets.length === 0)
    .map((t) => transitionText(t.event, t.guard, t.actions));
  return {
    id: node.id,
    key: node.key,
    kind: node.type,
    initial,
    entry: ownActions(node.entry).map((action) => actionLabel(machine, action)),
    exit: ownActions(node.exit).map((action) => actionLabel(machine, action)),
    internal,
    timers: timersOf(machine, node),
    children: Object.values(node.states).map((child) => vertexOf(machine, child, child.key === firstChild)),
  };
}

function edgesOf(machine: AnyStateMachine, node: AnyStateNode, into: TransitionEdge[]): void {
  const timed = new Set(timersOf(machine, node).map((timer) => timer.event));
  for (const t of transitionsOf(machine, node)) {
    for (const target of t.targets) {
      into.push({
        id: `${node.id}#${into.filter((edge) => edge.source === node.id).length}`,
        source: node.id,
        target: target.id,
        trigger: t.trigger,
        event: t.event,
        ...(t.guard === undefined ? {} : { guard: t.guard }),
        actions: t.actions,
        timer: t.trigger === "after" || (t.trigger === "event" && timed.has(t.event)),
        reenter: t.reenter,
      });
    }
  }
  for (const child of Object.values(node.states)) edgesOf(machine, child, into);
}

/** The machine's definition as a graph; the root vertex is the machine itself. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const edges: TransitionEdge[] = [];
  edgesOf(machine, machine.root, edges);
  return { id: machine.id, root: vertexOf(machine, machine.root, false), edges };
}

/** Every vertex below the root, depth first in definition order. */
export function allStates(vertex: StateVertex): StateVertex[] {
  return vertex.children.flatMap((child) => [child, ...allStates(child)]);
}

/** Whether a module export is an XState machine (duck-typed: two xstate builds may be loaded). */
export function isMachine(value: unknown): value is AnyStateMachine {
  if (typeof value !== "object" || value === null) return false;
  const shape = value as { __xstatenode?: unknown; root?: unknown; implementations?: unknown };
  return shape.__xstatenode === true && typeof shape.root === "object" && typeof shape.implementations === "object";
}
