/**
 * Flood: one device receives more messages than fit in one sync response (the per-sync limit
 * plus `extra`), each in its own request, so the limit is exercised on any server whatever its
 * limit is. TD-22 caps a response; TD-54 says the rest must follow, not be skipped.
 */
import type fc from "fast-check";
import { expectAnswer, OK_EMPTY } from "./answers.ts";
import { freshContent } from "./send.command.ts";
import { type Model, observe, pick, recordSend, sessionOfLoop, type World } from "./world.ts";

export class FloodCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly sender: number,
    readonly device: number,
    readonly extra: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.step(this.toString());
    const from = pick(world.live, this.sender);
    const to = pick(world.live, this.device);
    if (from === undefined || to === undefined) return;
    const count = world.syncLimit + this.extra;
    for (let i = 0; i < count; i++) {
      const content = freshContent(world, from.userId, "m.flood");
      const messages = { [to.userId]: { [to.deviceId]: content } };
      const answer = await world.s.waitFor(world.driver.sendToDevice(sessionOfLoop(from), "m.flood", `flood-${content.id}`, messages));
      expectAnswer(answer, OK_EMPTY, ["TD-9"], "flood send");
      world.order++;
      recordSend(world, content.id, from.key, [to.key], "ok");
    }
    observe(world, this.toString(), String(count));
    world.trace.note(`${count} messages sent to ${to.key}, one request each`);
  }

  toString(): string {
    return `Flood(${this.sender} → ${this.device}, limit + ${this.extra})`;
  }
}
