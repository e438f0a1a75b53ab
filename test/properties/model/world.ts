/**
 * The send-to-device model-based property runs on the checker's driver interface (the world,
 * commands and property live in `src/check/todevice/`, where `courier check` runs them against
 * any homeserver). What stays here is the in-process system under test: the engine, or a broken
 * variant of it, behind a journaling driver whose awaited store step `fc.scheduler` orders, so
 * races between identical requests can be explored. `openSystem` turns a system into a target
 * of the property: the checker's in-process driver over that system.
 */
import type fc from "fast-check";
import { openRegistration } from "../../../src/check/accounts.ts";
import { VirtualClock } from "../../../src/check/clock.ts";
import { engineDriver } from "../../../src/check/drivers/engine.ts";
import type { OpenTarget } from "../../../src/check/todevice/property.ts";
import { Transcript } from "../../../src/check/transcript.ts";
import type { Command, OutcomeOf } from "../../../src/engine/commands.ts";
import type { Applied, HomeserverCommand } from "../../../src/engine/homeserver.ts";
import { apply, createHomeserver, type Homeserver } from "../../../src/engine/homeserver.ts";
import type { Policies } from "../../../src/engine/policies.ts";
import type { DeviceId, ServerName, UserId } from "../../../src/ids.ts";

export type { Model, World } from "../../../src/check/todevice/world.ts";

export const SERVER = "hs.test" as ServerName;
export const USERS = ["@u0:hs.test", "@u1:hs.test"] as UserId[];
export const DEVICE_NAMES = ["D0", "D1", "D2"] as DeviceId[];

/** Something that applies commands: the real engine or a broken variant of it. */
export interface Engine {
  readonly hs: Homeserver;
  apply<C extends Command>(command: C, now: number): Applied<OutcomeOf<C>>;
}

export function realEngine(policies: Partial<Policies>): Engine {
  const hs = createHomeserver({ serverName: SERVER, policies });
  return { hs, apply: (command, now) => apply(hs, command, now) };
}

/** The shell's view: a request goes in, an answer comes out after an awaited store step. */
export interface Driver {
  request<C extends Command>(command: C): Promise<OutcomeOf<C>>;
}

/**
 * The reference driver: apply (atomic), then await the durable store of the journal entry (a
 * step the scheduler orders), then answer. Two identical requests in flight can interleave
 * only at the store step, after the engine has already answered both.
 */
export function journalingDriver(engine: Engine, store: () => Promise<void>, now: () => number): Driver {
  return {
    async request(command) {
      const applied = engine.apply(command, now());
      await store();
      return applied.outcome;
    },
  };
}

export interface System {
  readonly name: string;
  engine(policies: Partial<Policies>): Engine;
  driver(engine: Engine, store: () => Promise<void>, now: () => number): Driver;
}

export const REFERENCE: System = { name: "reference", engine: realEngine, driver: journalingDriver };

const TO_DEVICE_COMMANDS: ReadonlySet<string> = new Set(["register", "login", "logout", "whoami", "listDevices", "deleteDevice", "sendToDevice", "syncToDevice", "expire"]);

function isToDeviceCommand(command: HomeserverCommand): command is Command {
  return TO_DEVICE_COMMANDS.has(command.type);
}

/**
 * A fresh engine of `system` per run, with the run's per-sync limit, behind the checker's
 * in-process driver; users `@u0:hs.test` and `@u1:hs.test` with devices D0 and D1.
 */
export function openSystem(system: System): OpenTarget {
  return async (s: fc.Scheduler, syncLimit: number) => {
    const engine = system.engine({ syncLimit });
    const store = s.scheduleFunction(async function store() {});
    const inner = system.driver(engine, store, () => 0);
    const trace = new Transcript();
    const driver = engineDriver({
      serverName: SERVER,
      clock: new VirtualClock(0),
      transcript: trace,
      apply: (command) => (isToDeviceCommand(command) ? inner.request(command) : Promise.reject(new Error(`not a to-device command: ${command.type}`))),
    });
    return { driver, trace, accounts: openRegistration(() => "u"), syncLimit: engine.hs.policies.syncLimit };
  };
}
