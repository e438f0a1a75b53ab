/**
 * Send: one PUT /sendToDevice from a live device, to explicit devices, `*`, unknown devices,
 * an invalid user id and a remote user, optionally with one oversized content (must 413 and
 * store nothing), optionally raced against an identical copy of itself (both must get the first
 * answer, one delivery), optionally losing its answer (the client cannot tell it was accepted).
 */
import type fc from "fast-check";
import { expect } from "vitest";
import type { Outcomes, SendToDeviceCommand } from "../../../src/engine/commands.ts";
import type { TxnId, UserId } from "../../../src/ids.ts";
import {
  DEVICE_NAMES,
  type DeviceLoop,
  type Model,
  recordSend,
  type SentRequest,
  txnScope,
  USERS,
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

type Messages = SentRequest["body"]["messages"];

export function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** The body, and for each content id the history keys of the devices it is addressed to. */
function build(world: World, spec: SendSpec): { messages: Messages; recipients: Map<string, string[]> } {
  const messages: Messages = {};
  const recipients = new Map<string, string[]>();
  const content = (to: string[]) => {
    const id = `m${world.nextId++}`;
    recipients.set(id, to);
    return { id };
  };
  for (const target of spec.targets) {
    const userId = USERS[target.user % USERS.length] as UserId;
    const byDevice: Record<string, Record<string, string>> = messages[userId] ?? {};
    messages[userId] = byDevice;
    for (const d of target.devices) {
      const name = d === "*" ? "*" : d === "unknown" ? "NOPE" : (DEVICE_NAMES[d % DEVICE_NAMES.length] as string);
      if (Object.hasOwn(byDevice, name)) continue;
      byDevice[name] = content([]);
    }
    assignRecipients(world, userId, byDevice, recipients);
  }
  if (spec.invalidUser) messages["not-a-user"] = { D0: content([]) };
  if (spec.remote) messages["@r:remote.test"] = { "*": content([]) };
  if (spec.oversize) messages["@big:remote.test"] = { D: { ...content([]), pad: "x".repeat(65_536) } };
  return { messages, recipients };
}

/** Policy defaults: explicit ids name live devices only; `*` covers the live devices not named. */
function assignRecipients(world: World, userId: UserId, byDevice: Messages[string], recipients: Map<string, string[]>): void {
  const devices = world.live.filter((l) => l.userId === userId);
  for (const [name, content] of Object.entries(byDevice)) {
    const id = content.id as string;
    const to = name === "*"
      ? devices.filter((l) => !Object.hasOwn(byDevice, l.deviceId)).map((l) => l.key)
      : devices.filter((l) => l.deviceId === name).map((l) => l.key);
    recipients.set(id, to);
  }
}

export function expectAnswer(actual: Outcomes["sendToDevice"], expected: Outcomes["sendToDevice"]): void {
  expect(actual).toEqual(expected);
}

export async function sendTwiceOrOnce(world: World, cmd: SendToDeviceCommand, concurrent: boolean) {
  if (!concurrent) return [await world.s.waitFor(world.driver.request(cmd))];
  return world.s.waitFor(Promise.all([world.driver.request(cmd), world.driver.request(cmd)]));
}

export class SendCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly spec: SendSpec) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    const loop: DeviceLoop | undefined = pick(world.live, this.spec.sender);
    if (loop === undefined) return;
    const { messages, recipients } = build(world, this.spec);
    const txnId = `txn${this.spec.txn}`;
    const cmd = { type: "sendToDevice", token: loop.token, eventType: this.spec.eventType, txnId: txnId as TxnId, body: { messages } } as const;
    const prior = world.txnFirst.get(txnScope(loop.userId, loop.deviceId, this.spec.eventType, txnId));
    const expected: Outcomes["sendToDevice"] = prior?.firstOutcome ??
      (this.spec.oversize
        ? { ok: false, error: { errcode: "M_TOO_LARGE", message: expect.any(String), status: 413 } }
        : { ok: true });
    for (const answer of await sendTwiceOrOnce(world, cmd, this.spec.concurrent)) expectAnswer(answer, expected);

    const accepted = prior === undefined && !this.spec.oversize;
    world.order++;
    for (const [id, to] of recipients) {
      recordSend(world, id, loop.key, to, !accepted ? "failed" : this.spec.loseResponse ? "unknown" : "ok");
    }
    const request: SentRequest = {
      userId: loop.userId,
      deviceId: loop.deviceId,
      eventType: this.spec.eventType,
      txnId,
      body: { messages },
      firstOutcome: expected,
      accepted,
      ids: [...recipients.keys()],
    };
    world.requests.push(request);
    if (accepted) world.txnFirst.set(txnScope(loop.userId, loop.deviceId, this.spec.eventType, txnId), request);
  }

  toString(): string {
    return `Send(${JSON.stringify(this.spec)})`;
  }
}
