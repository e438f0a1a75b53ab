/**
 * Sync: one device's sync loop takes a step. `follow` uses the next_batch of the last response
 * (committing that response); `lose` does the same but the answer never arrives, so the loop
 * keeps its old since and retries with it; `initial` is a client that lost its state and syncs
 * without since (TD-52), discarding what it held but had not committed.
 */
import type fc from "fast-check";
import { Violation } from "../violation.ts";
import { commitHeld, idsOf, type Model, observe, pick, plainId, syncLoop, type World } from "./world.ts";

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
    world.trace.step(this.toString());
    const loop = pick(world.live, this.device);
    if (loop === undefined) return;
    if (this.mode === "initial") {
      loop.held = null;
      loop.since = undefined;
    } else {
      commitHeld(model, loop);
    }
    const out = await syncLoop(world, loop);
    const ids = idsOf(world, out.events);
    observe(world, this.toString(), ids.map((id) => plainId(world, id)).join(","));
    // TD-22: never more than the per-sync limit.
    if (out.events.length > world.syncLimit) {
      throw new Violation(["TD-22", "TD-23"], `a sync returned ${out.events.length} events, more than the per-sync limit of ${world.syncLimit}`);
    }
    if (this.mode === "lose") world.trace.note("the answer is lost: the loop keeps its old since");
    else loop.held = { nextBatch: out.nextBatch, ids };
  }

  toString(): string {
    return `Sync(${this.device}, ${this.mode})`;
  }
}
