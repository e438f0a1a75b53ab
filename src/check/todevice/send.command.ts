/**
 * Send: one PUT /sendToDevice from a live device, to explicit devices, `*`, unknown devices,
 * an invalid user id and a remote user, optionally with one oversized content (must 413 and
 * store nothing), optionally raced against an identical copy of itself (both must get the first
 * answer, one delivery), optionally losing its answer (the client cannot tell it was accepted).
 */
import type fc from "fast-check";
import { type Answer, describeAnswer, type Messages } from "../driver.ts";
import { expectAnswer, OK_EMPTY, TOO_LARGE } from "./answers.ts";
import {
  type Contents,
  type DeviceLoop,
  type Model,
  observe,
  pick,
  REMOTE_USER,
  recordSend,
  type SentRequest,
  sessionOfLoop,
  txnScope,
  type World,
} from "./world.ts";

export type DeviceSpec = number | "*" | "unknown";

export interface SendSpec {
  readonly sender: number;
  readonly eventType: "m.a" | "m.b";
  readonly txn: number;
  readonly targets: readonly { readonly user: number; readonly devices: readonly DeviceSpec[] }[];
  readonly invalidUser: boolean;
  readonly remote: boolean;
  readonly oversize: boolean;
  readonly concurrent: boolean;
  readonly loseResponse: boolean;
}

/** A fresh content id and the history keys it is addressed to (filled in by the caller). */
export function freshContent(world: World, sender: string, eventType: string): { id: string } {
  const id = `${world.idPrefix}m${world.nextId++}`;
  world.shapes.set(id, { sender, type: eventType });
  return { id };
}

/** The body, and for each content id the history keys of the devices it is addressed to. */
function build(world: World, spec: SendSpec, sender: string): { messages: Contents; recipients: Map<string, string[]> } {
  const messages: Contents = {};
  const recipients = new Map<string, string[]>();
  const content = () => {
    const c = freshContent(world, sender, spec.eventType);
    recipients.set(c.id, []);
    return c;
  };
  for (const target of spec.targets) {
    const userId = pick(world.users, target.user) as string;
    const byDevice: Record<string, Record<string, string>> = messages[userId] ?? {};
    messages[userId] = byDevice;
    for (const d of target.devices) {
      const name = d === "*" ? "*" : d === "unknown" ? "NOPE" : (pick(world.deviceNames, d) as string);
      if (Object.hasOwn(byDevice, name)) continue;
      byDevice[name] = content();
    }
    assignRecipients(world, userId, byDevice, recipients);
  }
  if (spec.invalidUser) messages["not-a-user"] = { D0: content() };
  if (spec.remote) messages[REMOTE_USER] = { "*": content() };
  if (spec.oversize) messages["@big:remote.test"] = { D: { ...content(), pad: "x".repeat(65_536) } };
  return { messages, recipients };
}

/** Policy defaults: explicit ids name live devices only; `*` covers the live devices not named. */
function assignRecipients(world: World, userId: string, byDevice: Contents[string], recipients: Map<string, string[]>): void {
  const devices = world.live.filter((l) => l.userId === userId);
  for (const [name, content] of Object.entries(byDevice)) {
    const id = content.id as string;
    const to = name === "*"
      ? devices.filter((l) => !Object.hasOwn(byDevice, l.deviceId)).map((l) => l.key)
      : devices.filter((l) => l.deviceId === name).map((l) => l.key);
    recipients.set(id, to);
  }
}

/** The request once, or twice in flight at the same time. */
export async function sendTwiceOrOnce(world: World, loop: DeviceLoop, eventType: string, txnId: string, messages: Messages, concurrent: boolean): Promise<Answer[]> {
  const send = () => world.driver.sendToDevice(sessionOfLoop(loop), eventType, txnId, messages);
  if (!concurrent) return [await world.s.waitFor(send())];
  return world.s.waitFor(Promise.all([send(), send()]));
}

export class SendCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly spec: SendSpec) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.step(this.toString());
    const loop = pick(world.live, this.spec.sender);
    if (loop === undefined) return;
    const { messages, recipients } = build(world, this.spec, loop.userId);
    // Users from a token file are reused across runs: the prefix keeps their txnIds apart.
    const txnId = `${world.idPrefix}txn${this.spec.txn}`;
    const prior = world.txnFirst.get(txnScope(loop.userId, loop.deviceId, this.spec.eventType, txnId));
    const expected = prior?.firstAnswer ?? (this.spec.oversize ? TOO_LARGE : OK_EMPTY);
    const clauses = prior === undefined ? (this.spec.oversize ? ["TD-50"] : ["TD-9", "TD-27"]) : ["TD-38", "TD-46"];
    const answers = await sendTwiceOrOnce(world, loop, this.spec.eventType, txnId, messages, this.spec.concurrent);
    observe(world, this.toString(), answers.map((a) => a.status).join(","));
    for (const answer of answers) expectAnswer(answer, expected, this.spec.concurrent ? [...clauses, "TD-39"] : clauses, "send");

    const accepted = prior === undefined && !this.spec.oversize;
    world.order++;
    for (const [id, to] of recipients) {
      recordSend(world, id, loop.key, to, !accepted ? "failed" : this.spec.loseResponse ? "unknown" : "ok");
    }
    const first = answers[0] ?? expected;
    const request: SentRequest = {
      userId: loop.userId,
      deviceId: loop.deviceId,
      eventType: this.spec.eventType,
      txnId,
      messages,
      firstAnswer: prior?.firstAnswer ?? first,
      accepted,
      ids: [...recipients.keys()],
    };
    world.requests.push(request);
    if (accepted) world.txnFirst.set(txnScope(loop.userId, loop.deviceId, this.spec.eventType, txnId), request);
    if (this.spec.loseResponse) world.trace.note(`the client loses the answer (${describeAnswer(first)})`);
  }

  toString(): string {
    return `Send(${JSON.stringify(this.spec)})`;
  }
}
