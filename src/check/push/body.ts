/**
 * What a homeserver must put in a notify body for one event (the HTTP Notification Protocol as
 * sender): the body matches the API description (PUSH-51); it names the event and room
 * (PUSH-52, PUSH-6); in the full format, the event's type and sender (PUSH-7, PUSH-8); a `prio`
 * of high or low (PUSH-12); the pusher's device with its app id and pushkey (PUSH-19, PUSH-20),
 * `pushkey_ts` in whole seconds (PUSH-21, PUSH-59), and the pusher's `data` minus `url`, custom
 * keys and `format` kept (PUSH-22, PUSH-46). Zero counts are a SHOULD (PUSH-53): noted, not
 * judged.
 */
import { validators } from "../../../models/index.ts";
import { describeErrors } from "../../validation.ts";
import { APP_ID, type PusherSpec } from "./scenario.ts";

export interface ExpectedNotification {
  readonly eventId: string;
  readonly roomId: string;
  readonly sender: string;
  readonly pusher: PusherSpec;
  readonly format: "full" | "event_id_only";
}

export interface BodyVerdict {
  readonly problems: readonly { readonly clause: string; readonly text: string }[];
  /** The shape of the body, for the side-by-side with the reference. */
  readonly shape: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function minusUrl(data: Record<string, unknown>): string {
  const { url: _url, ...rest } = data;
  return JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
}

function deviceProblems(device: Record<string, unknown>, expected: ExpectedNotification, add: (clause: string, text: string) => void): void {
  if (device.app_id !== APP_ID) add("PUSH-19", `devices[0].app_id is ${JSON.stringify(device.app_id)}, not ${APP_ID}`);
  if (device.pushkey !== expected.pusher.pushkey) add("PUSH-20", `devices[0].pushkey is ${JSON.stringify(device.pushkey)}`);
  const ts = device.pushkey_ts;
  if (ts !== undefined) {
    if (typeof ts !== "number" || !Number.isInteger(ts)) add("PUSH-59", `pushkey_ts ${JSON.stringify(ts)} is not an integer`);
    else if (Math.abs(ts - expected.pusher.setAt / 1000) > 600) add("PUSH-21", `pushkey_ts ${ts} is not the time the pushkey was set, in seconds (about ${Math.round(expected.pusher.setAt / 1000)})`);
  }
  const data = isObject(device.data) ? device.data : {};
  if (minusUrl(data) !== minusUrl(expected.pusher.data as Record<string, unknown>) || "url" in data) {
    add("PUSH-46", `devices[0].data is ${JSON.stringify(device.data)}, expected the pusher's data minus url: ${minusUrl(expected.pusher.data as Record<string, unknown>)}`);
  }
}

export function judgeNotification(body: unknown, expected: ExpectedNotification): BodyVerdict {
  const problems: { clause: string; text: string }[] = [];
  const add = (clause: string, text: string) => problems.push({ clause, text });
  const valid = validators.notify.body(body);
  if (!valid.ok) add("PUSH-51", `the body does not match the notify schema: ${describeErrors(valid.errors)}`);
  const n = isObject(body) && isObject(body.notification) ? body.notification : {};
  if (n.event_id !== expected.eventId) add("PUSH-52", `event_id is ${JSON.stringify(n.event_id)}, not ${expected.eventId}`);
  if (n.room_id !== expected.roomId) add("PUSH-6", `room_id is ${JSON.stringify(n.room_id)}, not ${expected.roomId}`);
  if (expected.format === "full") {
    if (n.type !== "m.room.message") add("PUSH-7", `type is ${JSON.stringify(n.type)}, not m.room.message`);
    if (n.sender !== expected.sender) add("PUSH-8", `sender is ${JSON.stringify(n.sender)}, not ${expected.sender}`);
  }
  if (n.prio !== undefined && n.prio !== "high" && n.prio !== "low") add("PUSH-12", `prio is ${JSON.stringify(n.prio)}`);
  const device = Array.isArray(n.devices) && isObject(n.devices[0]) ? n.devices[0] : null;
  if (device === null) add("PUSH-18", "devices is missing or empty");
  else deviceProblems(device, expected, add);
  const counts = isObject(n.counts) ? n.counts : {};
  const zero = Object.entries(counts).filter(([, v]) => v === 0).map(([k]) => k);
  const shape = [
    `notification: ${Object.keys(n).sort().join(", ")}`,
    `device: ${device === null ? "-" : Object.keys(device).sort().join(", ")}`,
    `prio: ${String(n.prio ?? "(absent)")}`,
    `zero counts: ${zero.length === 0 ? "omitted" : `sent (${zero.join(", ")})`}`,
  ].join("; ");
  return { problems, shape };
}
