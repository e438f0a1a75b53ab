/**
 * The simulated processes: homeserver nodes and the gateway node. Each wraps a pure engine and
 * keeps what a real process keeps, nothing more.
 *
 * A homeserver journals every command it applies, with its `now`. A crash loses the engine, its
 * pending timers and parked long-polls (the world also drops the node's network traffic, by its
 * incarnation number); the restart replays the journal into a fresh engine and returns
 * `resume()`'s effects, exactly as recovery in the HTTP shell does (DESIGN: "Replaying the
 * journal rebuilds the state; the simulator restarts a crashed server that way").
 *
 * The gateway's state is plain JSON kept durable by its journal; a restart rebuilds the engine
 * from a copy of that state and re-arms the retry timers that were pending, as its runtime does.
 *
 * Engines come from factories, so a test can hand the world a deliberately broken variant.
 */
import type { Effect } from "../engine/effects.ts";
import {
  type Applied,
  apply as applyHomeserver,
  createHomeserver,
  type Homeserver,
  type HomeserverCommand,
  type HomeserverConfig,
  resume as resumeHomeserver,
} from "../engine/homeserver.ts";
import {
  type Applied as GatewayApplied,
  apply as applyGateway,
  createGateway,
  type Gateway,
  type GatewayCommand,
  type GatewayConfig,
  type GatewayOutcome,
  type GatewayState,
  snapshotGateway,
} from "../gateway/index.ts";

export interface HomeserverEngine {
  readonly hs: Homeserver;
  apply(command: HomeserverCommand, now: number): Applied;
  resume(): Effect[];
}

export type HomeserverFactory = (config: HomeserverConfig) => HomeserverEngine;

export const referenceHomeserver: HomeserverFactory = (config) => {
  const hs = createHomeserver(config);
  return { hs, apply: (command, now) => applyHomeserver(hs, command, now), resume: () => resumeHomeserver(hs) };
};

export interface GatewayEngine {
  readonly gw: Gateway;
  apply(command: GatewayCommand, now: number): GatewayApplied<GatewayOutcome>;
}

export type GatewayFactory = (config: GatewayConfig, state?: GatewayState) => GatewayEngine;

export const referenceGateway: GatewayFactory = (config, state) => {
  const gw = createGateway(config, state);
  return { gw, apply: (command, now) => applyGateway(gw, command, now) };
};

/** A long-poll the server holds until the device has something or the poll times out. */
export interface ParkedPoll {
  readonly device: number;
  readonly serial: number;
  readonly command: HomeserverCommand;
  woken: boolean;
}

export class HomeserverNode {
  engine: HomeserverEngine;
  up = true;
  /** Bumped by every crash; traffic and timers tagged with an older one are dropped. */
  incarnation = 0;
  private readonly commands: HomeserverCommand[] = [];
  private readonly nows: number[] = [];
  /** Pending timers: id → the generation of its latest arming (a re-armed id supersedes). */
  readonly timers = new Map<string, number>();
  private timerGeneration = 0;
  readonly parked = new Map<string, ParkedPoll>();

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly config: HomeserverConfig,
    private readonly factory: HomeserverFactory,
  ) {
    this.engine = factory(config);
  }

  get journalLength(): number {
    return this.commands.length;
  }

  apply(command: HomeserverCommand, now: number): Applied {
    const applied = this.engine.apply(command, now);
    this.commands.push(command);
    this.nows.push(now);
    return applied;
  }

  armTimer(id: string): number {
    this.timerGeneration += 1;
    this.timers.set(id, this.timerGeneration);
    return this.timerGeneration;
  }

  /** Whether a fired timer is still the live arming of its id; if so it is consumed. */
  takeTimer(id: string, generation: number): boolean {
    if (this.timers.get(id) !== generation) return false;
    this.timers.delete(id);
    return true;
  }

  crash(): ParkedPoll[] {
    const lost = [...this.parked.values()];
    this.up = false;
    this.incarnation += 1;
    this.timers.clear();
    this.parked.clear();
    return lost;
  }

  /** Rebuilds the engine from the journal alone and returns the effects it must resume. */
  restart(): Effect[] {
    const engine = this.factory(this.config);
    for (let i = 0; i < this.commands.length; i++) {
      engine.apply(this.commands[i] as HomeserverCommand, this.nows[i] as number);
    }
    this.engine = engine;
    this.up = true;
    return engine.resume();
  }
}

export class GatewayNode {
  engine: GatewayEngine;
  up = true;
  incarnation = 0;
  /** Retry timers the engine is waiting on, with their due times: re-armed after a restart. */
  readonly pendingTimers = new Map<string, number>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly factory: GatewayFactory,
  ) {
    this.engine = factory(config);
  }

  crash(): void {
    this.up = false;
    this.incarnation += 1;
  }

  restart(): void {
    this.engine = this.factory(this.config, snapshotGateway(this.engine.gw));
    this.up = true;
  }
}
