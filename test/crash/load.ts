/**
 * The client load of the crash tests, and what it records for the history checker. Clients
 * behave as the spec asks of them and nothing more: a send is retried with the same txnId until
 * it is answered; a sync loop always continues from the `next_batch` it last received, retrying
 * the same `since` when a request fails; a room message is retried with the same txnId and its
 * event id is taken from the answer. Each to-device message carries a unique id in its content,
 * so the recorded history can be judged in linear time. Randomness comes from a seeded generator.
 */
import type { RecordedSend } from "../checkers/history.ts";
import { type Answer, type MatrixSession, type Messages, SchemaViolation } from "../support/http-client.ts";

export const EVENT_TYPE = "org.courier.crash";

/** mulberry32: a small seeded generator, so a failing run replays from its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A device taking part: its session and the key the checker knows it by. */
export interface Participant {
  readonly key: string;
  readonly session: MatrixSession;
}

export interface AckedSend {
  readonly txnId: string;
  readonly messages: Messages;
  readonly at: number;
}

export interface AckedRoomSend {
  readonly txnId: string;
  readonly roomId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly eventId: string;
  readonly at: number;
}

export class Recorder {
  readonly sends: RecordedSend[] = [];
  readonly chains = new Map<string, string[][]>();
  readonly acked = new Map<string, AckedSend[]>();
  readonly roomSends = new Map<string, AckedRoomSend[]>();
  retries = 0;
  /** Every id committed per device, for the drain phase's "is everything there yet?". */
  readonly seen = new Map<string, Set<string>>();

  missing(): number {
    let n = 0;
    for (const s of this.sends) for (const d of s.recipients) if (!(this.seen.get(d)?.has(s.id) ?? false)) n++;
    return n;
  }
}

/**
 * Calls `attempt` until the server answers (any HTTP status): network errors and timeouts are
 * retried after a short pause, as a client does while its server restarts. A 5xx is retried
 * too, and counted. An answer that breaks the API schema is never retried.
 */
export async function persist<T>(attempt: () => Promise<Answer<T>>, recorder: Recorder, deadlineMs = 60_000): Promise<Answer<T>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const answer = await attempt();
      if (answer.status < 500) return answer;
    } catch (e) {
      if (e instanceof SchemaViolation) throw e;
    }
    if (Date.now() > deadline) throw new Error(`no answer within ${deadlineMs} ms`);
    recorder.retries++;
    await sleep(50);
  }
}

/** One device's sync loop, following its own next_batch chain until `stop()` holds. */
export async function syncLoop(device: Participant, recorder: Recorder, stop: () => boolean): Promise<void> {
  const chain: string[][] = [];
  const seen = new Set<string>();
  recorder.chains.set(device.key, chain);
  recorder.seen.set(device.key, seen);
  let since: string | undefined;
  while (!stop()) {
    const answer = await persist(() => device.session.sync({ ...(since === undefined ? {} : { since }), timeout: 300 }), recorder);
    if (!answer.ok) throw new Error(`${device.key}: sync answered ${answer.status} ${JSON.stringify(answer.body)}`);
    const ids = (answer.body.to_device?.events ?? []).filter((e) => e.type === EVENT_TYPE).map((e) => String(e.content.id));
    chain.push(ids);
    for (const id of ids) seen.add(id);
    since = answer.body.next_batch;
  }
}

export interface Addressee {
  readonly userId: string;
  readonly devices: readonly Participant[];
}

/** Sends one to-device message with a fresh id to `to`, retrying until acknowledged; records it. */
export async function sendOnce(sender: Participant, to: readonly { addressee: Addressee; device: Participant | "*" }[], seq: number, recorder: Recorder): Promise<void> {
  const id = `${sender.key}#${seq}`;
  const messages: Record<string, Record<string, Record<string, unknown>>> = {};
  const recipients: string[] = [];
  for (const { addressee, device } of to) {
    messages[addressee.userId] = { [device === "*" ? "*" : device.session.deviceId]: { id } };
    recipients.push(...(device === "*" ? addressee.devices : [device]).map((d) => d.key));
  }
  const txnId = `txn-${seq}`;
  const answer = await persist(() => sender.session.sendToDevice(EVENT_TYPE, txnId, messages), recorder);
  if (!answer.ok) throw new Error(`${sender.key}: send ${txnId} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  recorder.sends.push({ id, sender: sender.key, recipients, outcome: "ok", order: seq });
  const acked = recorder.acked.get(sender.key) ?? [];
  acked.push({ txnId, messages, at: Date.now() });
  recorder.acked.set(sender.key, acked);
}

/** A sender's loop: random addressees (local or remote, a device or `*`), until `stop()`. */
export async function senderLoop(sender: Participant, everyone: readonly Addressee[], rng: () => number, recorder: Recorder, stop: () => boolean): Promise<number> {
  let seq = 0;
  while (!stop()) {
    const picked = everyone.filter(() => rng() < 0.4);
    const first = everyone[Math.floor(rng() * everyone.length)];
    const addressees = picked.length > 0 ? picked.slice(0, 2) : first === undefined ? [] : [first];
    const to = addressees.map((addressee) => ({ addressee, device: rng() < 0.2 ? ("*" as const) : (addressee.devices[Math.floor(rng() * addressee.devices.length)] ?? ("*" as const)) }));
    await sendOnce(sender, to, seq++, recorder);
    await sleep(5 + rng() * 25);
  }
  return seq;
}

/** Sends room messages with retried txnIds until `stop()`; records the acknowledged event ids. */
export async function roomLoop(sender: Participant, roomId: string, rng: () => number, recorder: Recorder, stop: () => boolean): Promise<void> {
  const list: AckedRoomSend[] = [];
  recorder.roomSends.set(sender.key, list);
  for (let seq = 0; !stop(); seq++) {
    const txnId = `room-${seq}`;
    const body = { msgtype: "m.text", body: `crash ${seq}` };
    const answer = await persist(() => sender.session.send(roomId, "m.room.message", txnId, body), recorder);
    if (!answer.ok) throw new Error(`${sender.key}: room send ${txnId} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    list.push({ txnId, roomId, body, eventId: answer.body.event_id, at: Date.now() });
    await sleep(40 + rng() * 80);
  }
}
