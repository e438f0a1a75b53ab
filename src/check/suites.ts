/**
 * The four suites as lists of checker properties, each bound to its target (over HTTP) and to
 * the in-process reference (for `--compare-with reference`). Nothing here runs anything: `check.ts`
 * sets up the targets and the runner runs the properties.
 */
import { type AccountSource, openRegistration } from "./accounts.ts";
import { VirtualClock } from "./clock.ts";
import type { Answer } from "./driver.ts";
import { EngineHost } from "./drivers/engine-host.ts";
import type { HttpDriver } from "./drivers/http.ts";
import { type FederationTarget, federationActions, runFederation, type FederationAction } from "./federation/property.ts";
import type { FederationTap } from "./federation/tap.ts";
import { dedupeProperty, rejectedProperty as gatewayRejected, validationProperty } from "./gateway/properties.ts";
import type { GatewayTarget } from "./gateway/target.ts";
import { notifyBodyProperty, type OpenPush, type PushCheckOptions, rejectedProperty, retryProperty } from "./push/properties.ts";
import { RecordingGateway } from "./push/recorder.ts";
import type { CheckProperty, RunContext } from "./runner.ts";
import { type OpenTarget, type RunInput, runInputFor, runOnce } from "./todevice/property.ts";

const NOTIFY = "/_matrix/push/v1/notify";

export interface HomeserverTarget {
  readonly driver: HttpDriver;
  readonly accounts: AccountSource;
}

export interface ToDeviceOptions {
  readonly syncLimit: number;
  readonly policyCases: boolean;
}

/** Properties of different input types in one list (the runner is generic in the input). */
export type AnyProperty = CheckProperty<unknown>;

export function toDeviceSuite(target: HomeserverTarget, options: ToDeviceOptions): AnyProperty[] {
  const open = (context: RunContext): OpenTarget => async () => {
    target.driver.context.transcript = context.trace;
    return { driver: target.driver, trace: context.trace, accounts: target.accounts, syncLimit: options.syncLimit, policyCases: options.policyCases };
  };
  const reference = (context: RunContext): OpenTarget => async () => {
    const host = new EngineHost(new VirtualClock(), "reference.test", { syncLimit: options.syncLimit });
    return { driver: host.driver(context.trace), trace: context.trace, accounts: openRegistration(), syncLimit: options.syncLimit, policyCases: options.policyCases };
  };
  const property: CheckProperty<RunInput> = {
    id: "todevice.model",
    suite: "todevice",
    title: "every acknowledged message is committed exactly once, in order; retransmissions get the first answer; a 413 stores nothing",
    clauses: ["TD-9", "TD-11", "TD-20", "TD-21", "TD-22", "TD-31", "TD-32", "TD-33", "TD-38", "TD-39", "TD-42", "TD-50", "TD-52", "TD-54"],
    runs: 25,
    arbitrary: runInputFor(options.policyCases),
    run: async (input, context) => {
      await runOnce(open(context), input, context.observations);
    },
    reference: async (input, context) => {
      await runOnce(reference(context), input, context.observations);
    },
  };
  return [property];
}

export interface PushSuiteOptions extends PushCheckOptions {
  readonly recorder: RecordingGateway;
  readonly waitMs: number;
}

export function pushSuite(target: HomeserverTarget, options: PushSuiteOptions): AnyProperty[] {
  const open: OpenPush = async (context) => {
    target.driver.context.transcript = context.trace;
    return { driver: target.driver, accounts: target.accounts, recorder: options.recorder, notifyUrl: options.recorder.url + NOTIFY, waitMs: options.waitMs };
  };
  const reference: OpenPush = async (context) => {
    const host = new EngineHost(new VirtualClock(), "reference.test");
    const recorder = new RecordingGateway(options.recorder.hangMs);
    host.pushEndpoint = (url, body) => recorder.receive(new URL(url).pathname, body, host.clock.now());
    return { driver: host.driver(context.trace), accounts: openRegistration(), recorder, notifyUrl: `http://127.0.0.1:9${NOTIFY}`, waitMs: options.waitMs };
  };
  return [notifyBodyProperty(open, reference), retryProperty(open, options, reference), rejectedProperty(open, reference)];
}

export interface FederationSuiteOptions {
  readonly tap: FederationTap | null;
  readonly deliveryWaitMs: number;
}

export function federationSuite(first: HomeserverTarget, second: HomeserverTarget, options: FederationSuiteOptions): AnyProperty[] {
  const tap = options.tap;
  const target = (context: RunContext): FederationTarget => {
    first.driver.context.transcript = context.trace;
    second.driver.context.transcript = context.trace;
    const replay = tap === null ? null : (): Promise<Answer | null> => tap.replay();
    return { servers: [first.driver, second.driver], accounts: [first.accounts, second.accounts], replay, deliveryWaitMs: options.deliveryWaitMs };
  };
  const reference = (context: RunContext): FederationTarget => {
    const clock = new VirtualClock();
    const one = new EngineHost(clock, "one.test");
    const two = new EngineHost(clock, "two.test");
    one.peers.set("two.test", two);
    two.peers.set("one.test", one);
    const replay = tap === null ? null : () => one.replayLast("two.test");
    return {
      servers: [one.driver(context.trace), two.driver(context.trace)],
      accounts: [openRegistration(), openRegistration()],
      replay,
      deliveryWaitMs: options.deliveryWaitMs,
      settle: () => clock.settle(),
    };
  };
  const property: CheckProperty<FederationAction[]> = {
    id: "federation.model",
    suite: "federation",
    title: "messages across servers are committed exactly once, in the origin's order, within the delivery budget",
    clauses: ["TD-11", "TD-24", "FED-6", "FED-7", "FED-16", "FED-18", "FED-20", "FED-21"],
    runs: 12,
    arbitrary: federationActions,
    run: (actions, context) => runFederation(target(context), actions, context),
    reference: (actions, context) => runFederation(reference(context), actions, context),
  };
  return [property];
}

export interface GatewaySuiteOptions {
  readonly target: GatewayTarget;
  readonly reference: GatewayTarget | null;
}

export function gatewaySuite(options: GatewaySuiteOptions): AnyProperty[] {
  const open = async (context: RunContext) => {
    options.target.context.transcript = context.trace;
    return options.target;
  };
  const ref = options.reference;
  const reference = ref === null ? undefined : async (context: RunContext) => {
    ref.context.transcript = context.trace;
    return ref;
  };
  const properties: AnyProperty[] = [validationProperty(open, reference), gatewayRejected(open, reference)];
  if (options.target.deliveries !== null) properties.push(dedupeProperty(open, reference));
  return properties;
}
