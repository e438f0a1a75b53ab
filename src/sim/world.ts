/**
 * The deterministic world: N homeserver engines, one gateway engine, a client per device and a
 * faulty network, all on one virtual clock. Pure apart from its own seeded generators: no real
 * timers, no I/O. The agenda is a binary heap of events; client actions are merged in from a
 * sorted list by a cursor, so 100,000 of them cost no heap space.
 *
 * A run: setup at t=0 over no network; actions and scheduled faults until `healAt`; from then on
 * a perfect network with every node up; the run ends at quiescence (nothing pending anywhere) or
 * at the liveness deadline, `workloadEnd + livenessBoundMs`, whichever comes first.
 */
import type { PolicyOverrides } from "../engine/policies.ts";
import type { Applied, HomeserverCommand } from "../engine/homeserver.ts";
import type { ServerName } from "../ids.ts";
import { createClients, type DeviceClient, jobFor, pusherIdOf, pusherSpecs, setupCommands } from "./clients.ts";
import { EventQueue } from "./event-queue.ts";
import type { SimEvent, WorldEvent } from "./events.ts";
import { onGatewayEvent, rearmGatewayTimers } from "./gateway-traffic.ts";
import { History } from "./history.ts";
import { GatewayNode, type GatewayFactory, HomeserverNode, type HomeserverFactory, referenceGateway, referenceHomeserver } from "./nodes.ts";
import { clientChannel, linkChannel, Network } from "./network.ts";
import { isQuiescent } from "./quiescence.ts";
import type { Random } from "./random.ts";
import { type Action, GATEWAY, livenessBoundMs, type Scenario, SIM_GATEWAY, SIM_POLICIES, serverName, TIMING, workloadEnd } from "./scenario.ts";
import { executeEffects, onServerEvent } from "./server-traffic.ts";
import { onClientEvent, queueJob, resetParkedPolls, startSync } from "./client-traffic.ts";
import { TraceLog } from "./trace.ts";

/** Test-only variation points: engines built by other factories (deliberately broken ones). */
export interface SimHooks {
  readonly homeserver?: HomeserverFactory;
  readonly gateway?: GatewayFactory;
}

export interface RunOptions {
  readonly hooks?: SimHooks;
  readonly trace?: boolean;
  /** Called as actions are taken: how many of how many, and the virtual time. */
  readonly progress?: (done: number, total: number, now: number) => void;
}

export interface SimStats {
  events: number;
  crashes: number;
  gatewayRestarts: number;
  replayedCommands: number;
  federationRequests: number;
  notifyRequests: number;
}

/** The scenario's policies over the simulation defaults, group by group. */
export function simPolicies(overrides: PolicyOverrides): PolicyOverrides {
  return {
    ...SIM_POLICIES,
    ...overrides,
    federation: { ...SIM_POLICIES.federation, ...overrides.federation },
    push: { ...SIM_POLICIES.push, ...overrides.push },
  };
}

export class World {
  now = 0;
  readonly queue = new EventQueue<SimEvent>();
  readonly network: Network;
  readonly nodes: HomeserverNode[] = [];
  readonly gateway: GatewayNode | null;
  readonly clients: DeviceClient[];
  readonly history = new History();
  readonly trace: TraceLog | null;
  readonly policies: PolicyOverrides;
  readonly stats: SimStats = { events: 0, crashes: 0, gatewayRestarts: 0, replayedCommands: 0, federationRequests: 0, notifyRequests: 0 };
  readonly end: number;
  readonly deadline: number;
  quiescedAt: number | null = null;
  /** Random sources per directed server link; index `servers` is the gateway. */
  private readonly links: Random[][] = [];
  private readonly actions: Action[];
  private cursor = 0;
  /** Notify requests the gateway has taken, for their request ids. */
  requests = 0;

  constructor(
    readonly s: Scenario,
    private readonly options: RunOptions = {},
  ) {
    this.policies = simPolicies(s.policies);
    this.network = new Network(s.seed, s.faults, s.schedule, s.healAt, s.servers);
    this.clients = createClients(s, (d) => this.network.channel(clientChannel(d)));
    const homeserver = options.hooks?.homeserver ?? referenceHomeserver;
    for (let i = 0; i < s.servers; i++) {
      const config = { serverName: serverName(i) as ServerName, policies: this.policies, epoch: `e${i + 1}` };
      this.nodes.push(new HomeserverNode(i, `hs${i + 1}`, config, homeserver));
    }
    this.gateway = s.push === null ? null : new GatewayNode(SIM_GATEWAY, options.hooks?.gateway ?? referenceGateway);
    for (let a = 0; a <= s.servers; a++) {
      const row: Random[] = [];
      for (let b = 0; b <= s.servers; b++) row.push(this.network.channel(linkChannel(this.endpoint(a), this.endpoint(b))));
      this.links.push(row);
    }
    this.actions = [...s.actions].sort((x, y) => x.at - y.at);
    this.end = workloadEnd(s);
    this.deadline = this.end + livenessBoundMs(this.policies);
    this.trace = options.trace === true ? new TraceLog([...this.nodes.map((n) => n.name), ...(s.push === null ? [] : ["gateway"])]) : null;
  }

  private endpoint(i: number): number {
    return i === this.s.servers ? GATEWAY : i;
  }

  /** The random source of the directed link between two endpoints (GATEWAY for the gateway). */
  link(from: number, to: number): Random {
    const a = from === GATEWAY ? this.s.servers : from;
    const b = to === GATEWAY ? this.s.servers : to;
    return this.links[a]?.[b] as Random;
  }

  /**
   * Applies a command on a homeserver now, as a request or timer would, then runs its effects;
   * `noted` sees the answer first, so a trace shows a cause before its consequences.
   */
  applyOn(node: HomeserverNode, command: HomeserverCommand, noted?: (applied: Applied) => void): Applied {
    const applied = node.apply(command, this.now);
    noted?.(applied);
    executeEffects(this, node, command, applied.effects);
    return applied;
  }

  run(): this {
    this.setup();
    for (;;) {
      const top = this.queue.peek();
      const action = this.actions[this.cursor];
      if (action !== undefined && (top === undefined || action.at <= top.at)) {
        if (action.at > this.deadline) break;
        this.now = Math.max(this.now, action.at);
        this.takeAction(action);
        continue;
      }
      if (top === undefined || top.at > this.deadline) break;
      this.queue.pop();
      this.now = top.at;
      this.stats.events += 1;
      this.dispatch(top);
      if (this.quiescedAt !== null) break;
    }
    return this;
  }

  private setup(): void {
    for (const { spec, client, pushkey } of pusherSpecs(this.s, this.clients)) {
      this.history.addPusher(pusherIdOf(client.userId, spec.app, pushkey), pushkey, client.server);
    }
    for (const node of this.nodes) {
      for (const command of setupCommands(this.s, node.index, this.clients)) this.applyOn(node, command);
    }
    this.trace?.note(0, "world", `setup: ${this.s.servers} servers, ${this.clients.length} devices, ${this.history.pushers.size} pushers`);
    this.s.schedule.forEach((fault, index) => {
      if (fault.at < this.s.healAt) this.schedule({ kind: "fault", at: fault.at, seq: 0, index, incarnation: 0 });
    });
    this.schedule({ kind: "heal", at: this.s.healAt, seq: 0, index: 0, incarnation: 0 });
    this.schedule({ kind: "tick", at: this.end, seq: 0, index: 0, incarnation: 0 });
    for (const node of this.nodes) this.schedule({ kind: "expire", at: TIMING.expireEveryMs, seq: 0, index: node.index, incarnation: 0 });
    for (const client of this.clients) startSync(this, client);
  }

  schedule(event: SimEvent): void {
    this.queue.push(event);
  }

  private takeAction(action: Action): void {
    const n = this.cursor++;
    const job = jobFor(this.s, action, n, this.clients);
    if (job !== null) queueJob(this, job);
    const total = this.actions.length;
    const step = Math.max(1, Math.floor(total / 10));
    if (this.options.progress !== undefined && (this.cursor % step === 0 || this.cursor === total)) {
      this.options.progress(this.cursor, total, this.now);
    }
  }

  get actionsDone(): boolean {
    return this.cursor >= this.actions.length;
  }

  private dispatch(e: SimEvent): void {
    switch (e.kind) {
      case "clientArrive":
      case "clientReply":
      case "clientRetry":
      case "poll":
        onClientEvent(this, e);
        return;
      case "federationArrive":
      case "federationResult":
      case "timer":
      case "pushResult":
        onServerEvent(this, e);
        return;
      case "notifyArrive":
      case "gatewayTimer":
        onGatewayEvent(this, e);
        return;
      default:
        this.onWorldEvent(e);
    }
  }

  private onWorldEvent(e: WorldEvent): void {
    if (e.kind === "fault") this.fault(e.index);
    else if (e.kind === "restart") this.restart(e.index, e.incarnation);
    else if (e.kind === "heal") this.heal();
    else if (e.kind === "expire") this.expire(e.index);
    else if (isQuiescent(this)) this.quiescedAt = this.now;
    else this.schedule({ kind: "tick", at: this.now + TIMING.quiescenceTickMs, seq: 0, index: 0, incarnation: 0 });
  }

  private fault(index: number): void {
    const fault = this.s.schedule[index];
    if (fault === undefined) return;
    if (fault.kind === "partition") {
      const a = `hs${(fault.a % this.s.servers) + 1}`;
      const b = fault.b === GATEWAY ? "gateway" : `hs${(fault.b % this.s.servers) + 1}`;
      if (a !== b) this.trace?.add(this.now, a, b, `partition ${a} | ${b} for ${fault.durationMs}ms`, "note");
      return;
    }
    const target = fault.kind === "crash" ? this.nodes[fault.server % this.nodes.length] : this.gateway;
    if (target === undefined || target === null || !target.up) return;
    const name = target instanceof HomeserverNode ? target.name : "gateway";
    this.trace?.add(this.now, name, name, `down ${fault.downMs}ms`, "crash");
    if (target instanceof HomeserverNode) {
      this.stats.crashes += 1;
      resetParkedPolls(this, target, target.crash());
    } else {
      this.stats.gatewayRestarts += 1;
      target.crash();
    }
    const at = Math.min(this.now + fault.downMs, this.s.healAt);
    const index2 = target instanceof HomeserverNode ? target.index : GATEWAY;
    this.schedule({ kind: "restart", at, seq: 0, index: index2, incarnation: target.incarnation });
  }

  private restart(index: number, incarnation: number): void {
    if (index === GATEWAY) {
      const gw = this.gateway;
      if (gw === null || gw.up || gw.incarnation !== incarnation) return;
      gw.restart();
      rearmGatewayTimers(this, gw);
      this.trace?.note(this.now, "gateway", `restart: ${gw.pendingTimers.size} retry timers re-armed`);
      return;
    }
    const node = this.nodes[index];
    if (node === undefined || node.up || node.incarnation !== incarnation) return;
    this.stats.replayedCommands += node.journalLength;
    const effects = node.restart();
    this.history.restarted(index, this.now);
    this.trace?.note(this.now, node.name, `restart: replayed ${node.journalLength} journaled commands; resume: ${effects.length} effects`);
    executeEffects(this, node, null, effects);
  }

  /** TD-25, TD-45: the driver's periodic cleanup; a server that is down skips its turn. */
  private expire(index: number): void {
    const node = this.nodes[index];
    if (node === undefined) return;
    if (node.up) {
      this.applyOn(node, { type: "expire" }, ({ outcome }) => {
        const expired = "messagesExpired" in outcome ? outcome.messagesExpired : 0;
        if (expired > 0) this.trace?.note(this.now, node.name, `expire: ${expired} undelivered messages dropped (policy undelivered-expiry)`);
      });
    }
    this.schedule({ kind: "expire", at: this.now + TIMING.expireEveryMs, seq: 0, index, incarnation: 0 });
  }

  private heal(): void {
    this.network.healed = true;
    this.trace?.note(this.now, "world", "faults heal: no loss, partitions end, every server up");
    for (const node of this.nodes) if (!node.up) this.restart(node.index, node.incarnation);
    if (this.gateway !== null && !this.gateway.up) this.restart(GATEWAY, this.gateway.incarnation);
  }
}

export function runWorld(s: Scenario, options: RunOptions = {}): World {
  return new World(s, options).run();
}
