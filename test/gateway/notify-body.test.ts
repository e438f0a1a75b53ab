// Checks the notify body's validation (GW-13, GW-19, GW-22): a missing required field answers 400
// M_MISSING_PARAM, a wrong type or value 400 M_BAD_JSON, each naming the field, and minimal bodies
// (badge-only, event_id_only, unknown extra keys) are accepted; also the errcodes the shell uses
// (M_NOT_JSON, M_UNRECOGNIZED, GW-15, GW-16). Assumes the body reached the engine already parsed
// and the validator generated from api/push-gateway/push_notifier.yaml.
import { describe, expect, it } from "vitest";
import { notJson, unrecognized } from "../../src/gateway/matrix-errors.ts";
import { sandboxConfig } from "../../src/gateway/config.ts";
import { Harness } from "./harness.ts";

const device = { app_id: "org.courier.sandbox.apns", pushkey: "k" };

function answer(body: unknown) {
  return new Harness(sandboxConfig).notify(body);
}

describe("notify validation", () => {
  it.each([
    [{}, "/notification"],
    [{ notification: {} }, "/notification/devices"],
    [{ notification: { devices: [{ pushkey: "k" }] } }, "/notification/devices/0/app_id"],
    [{ notification: { devices: [device, { app_id: "a" }] } }, "/notification/devices/1/pushkey"],
  ])("a body missing a required field %j answers M_MISSING_PARAM naming %s", (body, field) => {
    const outcome = answer(body);
    expect(outcome.status).toBe(400);
    expect(outcome.body).toMatchObject({ errcode: "M_MISSING_PARAM" });
    expect("error" in outcome.body && outcome.body.error).toBe(`missing required field ${field}`);
  });

  it.each([
    [[], ""],
    ["text", ""],
    [{ notification: [] }, "/notification"],
    [{ notification: { devices: {} } }, "/notification/devices"],
    [{ notification: { devices: ["k"] } }, "/notification/devices/0"],
    [{ notification: { devices: [{ ...device, pushkey: 7 }] } }, "/notification/devices/0/pushkey"],
    [{ notification: { devices: [{ ...device, pushkey_ts: 1.5 }] } }, "/notification/devices/0/pushkey_ts"],
    [{ notification: { devices: [{ ...device, data: "x" }] } }, "/notification/devices/0/data"],
    [{ notification: { devices: [{ ...device, tweaks: [] }] } }, "/notification/devices/0/tweaks"],
    [{ notification: { devices: [device], event_id: 1 } }, "/notification/event_id"],
    [{ notification: { devices: [device], type: null } }, "/notification/type"],
    [{ notification: { devices: [device], user_is_target: "yes" } }, "/notification/user_is_target"],
    [{ notification: { devices: [device], prio: "urgent" } }, "/notification/prio"],
    [{ notification: { devices: [device], content: "hi" } }, "/notification/content"],
    [{ notification: { devices: [device], counts: { unread: "2" } } }, "/notification/counts/unread"],
    [{ notification: { devices: [device], counts: { missed_calls: -0.5 } } }, "/notification/counts/missed_calls"],
    [{ notification: { devices: [device], counts: { unread: -1 } } }, "/notification/counts/unread"],
    [{ notification: { devices: [device], event_id: "e1" } }, "/notification/event_id"],
    [{ notification: { devices: [{ ...device, pushkey: "" }] } }, "/notification/devices/0/pushkey"],
    [{ notification: { devices: [{ ...device, data: { format: "full" } }] } }, "/notification/devices/0/data/format"],
  ])("a body with a wrong type %j answers M_BAD_JSON naming %j", (body, field) => {
    const outcome = answer(body);
    expect(outcome.status).toBe(400);
    expect(outcome.body).toMatchObject({ errcode: "M_BAD_JSON" });
    const error = "error" in outcome.body ? outcome.body.error : "";
    expect(error.startsWith(`${field || "/"} must`)).toBe(true);
  });

  it.each([
    ["badge-only", { notification: { counts: { unread: 2 }, devices: [device] } }],
    ["event_id_only", { notification: { event_id: "$e", room_id: "!r:x", counts: { unread: 1 }, devices: [device] } }],
    ["extra keys (legacy id, membership)", { notification: { id: "$e", membership: "invite", event_id: "$e", devices: [device] } }],
    ["no devices at all", { notification: { event_id: "$e", devices: [] } }],
  ])("accepts %s", (_, body) => {
    expect(answer(body)).toEqual({ status: 200, body: { rejected: [] } });
  });

  it("delivers nothing for an invalid body", () => {
    const h = new Harness(sandboxConfig);
    h.notify({ notification: { event_id: 5, devices: [device] } });
    expect(h.effects).toEqual([]);
  });
});

describe("errors the shell answers", () => {
  it("M_NOT_JSON for a body that is not JSON", () => {
    expect(notJson("Unexpected token")).toEqual({
      status: 400,
      body: { errcode: "M_NOT_JSON", error: "request body is not valid JSON: Unexpected token" },
    });
  });

  it("M_UNRECOGNIZED with 404 for unknown endpoints and 405 for unsupported methods", () => {
    expect(unrecognized(404, "POST", "/_matrix/push/v1/other")).toMatchObject({ status: 404, body: { errcode: "M_UNRECOGNIZED" } });
    const outcome = unrecognized(405, "GET", "/_matrix/push/v1/notify");
    expect(outcome).toMatchObject({ status: 405, body: { errcode: "M_UNRECOGNIZED" } });
    expect(outcome.body.error).toContain("GET");
  });
});
