/**
 * Sync: one device's sync loop takes a step. `follow` uses the next_batch of the last response
 * (committing that response); `lose` does the same but the answer never arrives, so the loop
 * keeps its old since and retries with it; `initial` is a client that lost its state and syncs
 * without since (TD-52), discarding what it held but had not committed.
 */
import type fc from "fast-check";
import { expect } from "vitest";
import { pick } from "./send.command.ts";
import { commitHeld, idsOf, type Model, type World } from "./world.ts";

export type SyncMode = "follow" | "lose" | "initial";

export class SyncCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly device: number,
    readonly mode: SyncMode,
  ) {}

  check(): boolean {
    return true;
  }

  async run(model: Model, world: World): Promise<void> {
    const loop = pick(world.live, this.device);
    if (loop === undefined) return;
    if (this.mode === "initial") {
      loop.held = null;
      loop.since = undefined;
    } else {
      commitHeld(model, loop);
    }
    const cmd = loop.since === undefined
      ? ({ type: "syncToDevice", token: loop.token } as const)
      : ({ type: "syncToDevice", token: loop.token, since: loop.since } as const);
    const out = await world.s.waitFor(world.driver.request(cmd));
    if (!out.ok) throw new Error(`sync failed: ${out.error.errcode}`);
    // TD-22: never more than the per-sync limit.
    expect(out.events.length).toBeLessThanOrEqual(world.syncLimit);
    if (this.mode !== "lose") loop.held = { nextBatch: out.nextBatch, ids: idsOf(out) };
  }

  toString(): string {
    return `Sync(${this.device}, ${this.mode})`;
  }
}
