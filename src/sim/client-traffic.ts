/**
 * Client traffic: each device's sender and sync loop talking to its own server.
 *
 * - The sender has one request outstanding. A lost request or answer, a refused or reset
 *   connection: it retries the SAME request (same txnId), after its timeout or a short pause.
 *   TD-37…TD-40: the server must answer a retransmission with the first answer, delivering
 *   nothing again; the world checks that on every retransmission it applies.
 * - The sync loop follows its own next_batch chain. A lost answer is retried with the old
 *   `since`, so the server hands the same messages out again (TD-21, TD-52: nothing is
 *   acknowledged until the next since). An answer with no to-device events is a long-poll: the
 *   server parks it until a `wake` effect for the device or the long-poll timeout (TD-55).
 */
import type { ToDeviceEvent } from "../engine/commands.ts";
import type { HomeserverCommand } from "../engine/homeserver.ts";
import type { DeviceClient, SendJob } from "./clients.ts";
import type { ClientArrive, ClientReply, ClientRetry, Loop, PollEvent } from "./events.ts";
import type { SendRecord } from "./history.ts";
import type { HomeserverNode, ParkedPoll } from "./nodes.ts";
import { TIMING } from "./scenario.ts";
import type { World } from "./world.ts";

export function queueJob(w: World, job: SendJob): void {
  const client = w.clients[job.device];
  if (client === undefined) return;
  w.history.addSend(job.record);
  client.queue.push(job);
  if (client.current === null) nextSend(w, client);
}

function nextSend(w: World, client: DeviceClient): void {
  const job = client.queue[client.queueHead];
  if (job === undefined) {
    client.current = null;
    client.queue.length = 0;
    client.queueHead = 0;
    return;
  }
  client.queueHead += 1;
  client.current = job;
  transmitSend(w, client, job);
}

function transmitSend(w: World, client: DeviceClient, job: SendJob): void {
  job.record.attempts += 1;
  client.sendSerial += 1;
  transmit(w, client, "send", client.sendSerial, job.command, job.record);
}

export function startSync(w: World, client: DeviceClient): void {
  client.syncSerial += 1;
  const type = client.fullSync ? "sync" : "syncToDevice";
  const command: HomeserverCommand = client.since === undefined ? { type, token: client.token } : { type, token: client.token, since: client.since };
  transmit(w, client, "sync", client.syncSerial, command, null);
}

function describe(command: HomeserverCommand, record: SendRecord | null): string {
  if (command.type === "sendToDevice") return `PUT /sendToDevice/${command.eventType}/${command.txnId} {${record?.id ?? "?"} → ${record?.recipients.length ?? 0} devices}`;
  if (command.type === "sendEvent") return `PUT /rooms/…/send/m.room.message/${command.txnId} (${record?.id ?? "?"})`;
  if (command.type === "sync" || command.type === "syncToDevice") return `GET /sync since=${command.since ?? "-"}`;
  return command.type;
}

function transmit(w: World, client: DeviceClient, loop: Loop, serial: number, command: HomeserverCommand, record: SendRecord | null): void {
  const server = w.nodes[client.server]?.name ?? "?";
  if (w.network.lost(client.channel)) {
    w.trace?.add(w.now, client.label, server, describe(command, record), "lost", "LOST");
    w.schedule({ kind: "clientRetry", at: w.now + TIMING.clientTimeoutMs, seq: 0, device: client.index, loop, serial });
    return;
  }
  const at = w.now + w.network.clientDelay(client.channel);
  w.schedule({ kind: "clientArrive", at, seq: 0, device: client.index, loop, serial, command, record, sentAt: w.now });
}

export function onClientEvent(w: World, e: ClientArrive | ClientReply | ClientRetry | PollEvent): void {
  if (e.kind === "clientArrive") arrive(w, e);
  else if (e.kind === "clientReply") reply(w, e);
  else if (e.kind === "clientRetry") retry(w, e);
  else poll(w, e);
}

function arrive(w: World, e: ClientArrive): void {
  const client = w.clients[e.device] as DeviceClient;
  const node = w.nodes[client.server] as HomeserverNode;
  if (!node.up) {
    w.trace?.add(w.now, client.label, node.name, describe(e.command, e.record), "lost", "refused");
    answer(w, client, node, e.loop, e.serial, null, e.sentAt);
    return;
  }
  const before = streamPosition(node, e.command);
  const applied = w.applyOn(node, e.command, ({ outcome, effects }) => {
    if (e.record !== null) noteSend(w, e.record, outcome, effects.length, before !== streamPosition(node, e.command));
    w.trace?.add(w.now, client.label, node.name, describe(e.command, e.record), "request", outcomeText(outcome));
  });
  if (e.loop === "sync" && syncEvents(applied.outcome)?.length === 0) {
    node.parked.set(client.key, { device: client.index, serial: e.serial, command: e.command, woken: false });
    w.schedule({ kind: "poll", at: w.now + TIMING.longPollMs, seq: 0, server: node.index, incarnation: node.incarnation, deviceKey: client.key, serial: e.serial });
    return;
  }
  answer(w, client, node, e.loop, e.serial, applied.outcome, e.sentAt);
}

function streamPosition(node: HomeserverNode, command: HomeserverCommand): number {
  const state = node.engine.hs.state;
  return command.type === "sendEvent" ? state.rooms.position : state.todevice.position;
}

/** TD-38, TD-39: the first 200 fixes the acceptance order; a later one must change nothing. */
function noteSend(w: World, record: SendRecord, outcome: unknown, effects: number, moved: boolean): void {
  const ok = isOk(outcome);
  if (record.order === -1) {
    if (ok) w.history.accepted(record, w.now);
    return;
  }
  if (!ok) w.history.idempotency.push({ id: record.id, at: w.now, reason: `retransmission answered ${outcomeText(outcome)}, not the first answer` });
  else if (effects > 0 || moved) w.history.idempotency.push({ id: record.id, at: w.now, reason: "retransmission delivered again" });
}

function isOk(outcome: unknown): boolean {
  return typeof outcome === "object" && outcome !== null && "ok" in outcome && outcome.ok === true;
}

function outcomeText(outcome: unknown): string {
  if (outcome === null) return "refused";
  if (!isOk(outcome)) {
    const error = typeof outcome === "object" && outcome !== null && "error" in outcome ? outcome.error : null;
    return typeof error === "object" && error !== null && "status" in error ? `${String(error.status)}` : "error";
  }
  const events = syncEvents(outcome);
  if (events === null) return "200";
  const next = typeof outcome === "object" && outcome !== null && "nextBatch" in outcome ? String(outcome.nextBatch) : "?";
  return `200 [${events.map(idOf).join(" ")}] next=${next}`;
}

/** The to-device events of a sync answer, or null for an answer that is not a sync. */
function syncEvents(outcome: unknown): readonly ToDeviceEvent[] | null {
  if (typeof outcome !== "object" || outcome === null || !("ok" in outcome) || outcome.ok !== true) return null;
  if ("events" in outcome) return outcome.events as readonly ToDeviceEvent[];
  if ("toDevice" in outcome) return outcome.toDevice as readonly ToDeviceEvent[];
  return null;
}

function idOf(event: ToDeviceEvent): string {
  const msg = event.content.msg;
  return typeof msg === "string" ? msg : `?${JSON.stringify(event.content)}`;
}

/** Sends an answer back over the client link (or loses it: the client times out and retries). */
function answer(w: World, client: DeviceClient, node: HomeserverNode, loop: Loop, serial: number, outcome: unknown, sentAt: number): void {
  if (outcome !== null && w.network.lost(client.channel)) {
    w.trace?.add(w.now, node.name, client.label, "answer", "lost", "LOST");
    w.schedule({ kind: "clientRetry", at: Math.max(w.now, sentAt + TIMING.clientTimeoutMs), seq: 0, device: client.index, loop, serial });
    return;
  }
  const at = w.now + w.network.clientDelay(client.channel);
  w.schedule({ kind: "clientReply", at, seq: 0, device: client.index, loop, serial, outcome, incarnation: node.incarnation });
}

function reply(w: World, e: ClientReply): void {
  const client = w.clients[e.device] as DeviceClient;
  const node = w.nodes[client.server] as HomeserverNode;
  if (e.serial !== (e.loop === "send" ? client.sendSerial : client.syncSerial)) return;
  if (e.outcome === null || node.incarnation !== e.incarnation) {
    w.schedule({ kind: "clientRetry", at: w.now + TIMING.clientRetryMs, seq: 0, device: client.index, loop: e.loop, serial: e.serial });
    return;
  }
  if (e.loop === "sync") {
    synced(w, client, e.outcome);
    return;
  }
  const job = client.current;
  if (job === null) return;
  job.record.outcome = isOk(e.outcome) ? "ok" : "failed";
  job.record.ackedAt = w.now;
  nextSend(w, client);
}

/** The client adopts the answer: its events are committed to the chain, its next_batch is the next since. */
function synced(w: World, client: DeviceClient, outcome: unknown): void {
  const events = syncEvents(outcome);
  if (events === null || typeof outcome !== "object" || outcome === null || !("nextBatch" in outcome)) {
    w.schedule({ kind: "clientRetry", at: w.now + TIMING.clientRetryMs, seq: 0, device: client.index, loop: "sync", serial: client.syncSerial });
    return;
  }
  if (events.length > 0) w.history.commit(client.key, events.map(idOf));
  client.since = String(outcome.nextBatch);
  startSync(w, client);
}

function retry(w: World, e: ClientRetry): void {
  const client = w.clients[e.device] as DeviceClient;
  if (e.loop === "sync") {
    if (e.serial === client.syncSerial) startSync(w, client);
    return;
  }
  if (e.serial === client.sendSerial && client.current !== null) transmitSend(w, client, client.current);
}

/** A parked long-poll woken or timed out: apply the same sync again and answer. */
function poll(w: World, e: PollEvent): void {
  const node = w.nodes[e.server] as HomeserverNode;
  const parked = node.parked.get(e.deviceKey);
  if (node.incarnation !== e.incarnation || parked === undefined || parked.serial !== e.serial) return;
  node.parked.delete(e.deviceKey);
  const client = w.clients[parked.device] as DeviceClient;
  const how = parked.woken ? "woken" : "timed out";
  const applied = w.applyOn(node, parked.command, ({ outcome }) => {
    w.trace?.add(w.now, client.label, node.name, `${describe(parked.command, null)} (long-poll ${how})`, "request", outcomeText(outcome));
  });
  answer(w, client, node, "sync", parked.serial, applied.outcome, w.now);
}

/** TD-55: a device got something; its parked long-poll, if any, answers now. */
export function wakeDevice(w: World, node: HomeserverNode, deviceKey: string): void {
  const parked = node.parked.get(deviceKey);
  if (parked === undefined || parked.woken) return;
  parked.woken = true;
  w.schedule({ kind: "poll", at: w.now, seq: 0, server: node.index, incarnation: node.incarnation, deviceKey, serial: parked.serial });
}

/** A crash drops the parked long-polls: their clients see the connection reset. */
export function resetParkedPolls(w: World, node: HomeserverNode, lost: readonly ParkedPoll[]): void {
  for (const parked of lost) {
    const client = w.clients[parked.device] as DeviceClient;
    w.schedule({ kind: "clientReply", at: w.now + w.network.clientDelay(client.channel), seq: 0, device: parked.device, loop: "sync", serial: parked.serial, outcome: null, incarnation: node.incarnation });
  }
}
