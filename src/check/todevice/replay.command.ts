/**
 * Replay: a client retransmits one of its earlier requests unchanged (same device, event type,
 * txnId and body), alone or raced against a second copy. Every answer must be the first answer
 * for that transaction (TD-38) and nothing is delivered again (TD-39), which the history
 * checker sees as a duplicate if it were. A 413 was not remembered, so it is refused again.
 */
import type fc from "fast-check";
import { expectAnswer } from "./answers.ts";
import { sendTwiceOrOnce } from "./send.command.ts";
import { type Model, observe, pick, txnScope, type World } from "./world.ts";

export class ReplayCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly which: number,
    readonly concurrent: boolean,
  ) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.step(this.toString());
    const request = pick(world.requests, this.which);
    if (request === undefined) return;
    const loop = world.live.find((l) => l.userId === request.userId && l.deviceId === request.deviceId);
    if (loop === undefined) return;
    const first = world.txnFirst.get(txnScope(request.userId, request.deviceId, request.eventType, request.txnId));
    const expected = first?.firstAnswer ?? request.firstAnswer;
    const answers = await sendTwiceOrOnce(world, loop, request.eventType, request.txnId, request.messages, this.concurrent);
    observe(world, this.toString(), answers.map((a) => a.status).join(","));
    for (const answer of answers) expectAnswer(answer, expected, ["TD-38", "TD-39"], "retransmission");
    // The client now knows its lost answer: the messages were accepted.
    if (first === request) {
      for (const id of request.ids) {
        const sent = world.sends.get(id);
        if (sent !== undefined && sent.outcome === "unknown") sent.outcome = "ok";
      }
    }
  }

  toString(): string {
    return `Replay(${this.which}${this.concurrent ? ", concurrent" : ""})`;
  }
}
