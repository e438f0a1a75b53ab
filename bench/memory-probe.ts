/**
 * One memory measurement, run in its own process with `--expose-gc` (started by `memory.ts`), so
 * the heap holds nothing but the engine and the messages under test:
 *
 * `node --expose-gc --import tsx bench/memory-probe.ts CONTENT_BYTES COUNT`
 *
 * It sends COUNT requests of one message each, parsed from JSON text as the HTTP shell would, to
 * one device, then acknowledges them all with one sync. Heap after a full GC is read three times:
 * before, with the messages pending, after the acknowledgement. Pending minus acknowledged, per
 * message, is what a pending message costs; acknowledged minus before is what remains of each
 * request (its transaction record, kept for the retention period, TD-45). Prints one JSON line.
 */
import { apply, createHomeserver } from "../src/engine/homeserver.ts";
import type { AccessToken, DeviceId, ServerName, TxnId } from "../src/ids.ts";
import type { Json } from "../src/canonical-json.ts";
import type { ToDeviceEvent } from "../src/engine/commands.ts";

const contentBytes = Number(process.argv[2] ?? "256");
const count = Number(process.argv[3] ?? "1000");
const collect = globalThis.gc;
if (collect === undefined) throw new Error("run with --expose-gc");

function heapAfterGc(): number {
  collect?.();
  collect?.();
  return process.memoryUsage().heapUsed;
}

/** An Olm-shaped content whose canonical JSON is about `bytes` long; `i` makes each distinct. */
function contentText(i: number, bytes: number): string {
  const head = { algorithm: "m.olm.v1.curve25519-aes-sha2", sender_key: "Bench0SenderKey0Curve25519PublicKeyXXXXXXXXXX", ciphertext: { Bench0RecipientKey0Curve25519XXXXXXXXXXXXXXX: { type: 0, body: "" } } };
  const pad = Math.max(8, bytes - JSON.stringify(head).length);
  const body = `${i.toString(36)}:`.padEnd(pad, "A");
  return JSON.stringify({ ...head, ciphertext: { Bench0RecipientKey0Curve25519XXXXXXXXXXXXXXX: { type: 0, body } } });
}

const hs = createHomeserver({ serverName: "bench.test" as ServerName });
const device = "D" as DeviceId;
for (const [username, token] of [["sender", "t-s"], ["recipient", "t-r"], ["warmup", "t-w"]] as const) {
  apply(hs, { type: "register", username, deviceId: device, accessToken: token as AccessToken }, 0);
}

function send(recipient: string, i: number): void {
  const text = `{"messages":{"${recipient}":{"D":${contentText(i, contentBytes)}}}}`;
  const r = apply(hs, { type: "sendToDevice", token: "t-s" as AccessToken, eventType: "m.bench", txnId: `t${i}` as TxnId, body: JSON.parse(text) as Json }, 1);
  if (!r.outcome.ok) throw new Error(r.outcome.error.message);
}

function jsonBytes(events: readonly ToDeviceEvent[]): number {
  let total = 0;
  for (const event of events) total += Buffer.byteLength(JSON.stringify(event));
  return total / Math.max(1, events.length);
}

/**
 * Acknowledge everything pending for a device; returns the mean JSON size of the events the
 * first sync listed (and keeps none of them, so none survives into the next heap reading).
 */
function drain(token: string): number {
  const listed = apply(hs, { type: "syncToDevice", token: token as AccessToken }, 2);
  const acked = apply(hs, { type: "syncToDevice", token: token as AccessToken, since: String(hs.state.todevice.position) }, 3);
  if (!listed.outcome.ok || !acked.outcome.ok || acked.outcome.events.length !== 0) throw new Error("acknowledging everything left messages behind");
  return jsonBytes(listed.outcome.events);
}

// The same path once on another device first, so compiled code and inline caches made on first
// use are in the heap before the first reading and not counted as messages.
for (let i = 0; i < 500; i++) send("@warmup:bench.test", -1 - i);
drain("t-w");

const before = heapAfterGc();
for (let i = 0; i < count; i++) send("@recipient:bench.test", i);
const pending = heapAfterGc();
const eventJsonBytes = drain("t-r");
const after = heapAfterGc();

process.stdout.write(
  `${JSON.stringify({
    contentBytes: contentText(0, contentBytes).length,
    eventJsonBytes,
    count,
    perPendingBytes: (pending - after) / count,
    perRequestRemainingBytes: (after - before) / count,
  })}\n`,
);
