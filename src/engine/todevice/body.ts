/**
 * The body check of PUT /sendToDevice, at the engine's edge. The schema is the Swagger YAML's
 * (`api/client-server/to_device.yaml`), through the validator generated from it; this module only
 * names the Matrix error for each kind of failure.
 */
import { validators } from "../../../models/index.ts";
import type { Json } from "../../canonical-json.ts";
import { describeErrors } from "../../validation.ts";
import { type Failure, failure } from "../commands.ts";
import type { JsonObject } from "../effects.ts";

/** user id (or anything the client wrote) → device id or `*` → content. */
export type SendToDeviceMessages = { readonly [userId: string]: { readonly [deviceId: string]: JsonObject } };

export interface SendToDeviceBody {
  readonly messages: SendToDeviceMessages;
}

/**
 * TD-6, TD-35: `messages` is required (400 M_MISSING_PARAM when absent). TD-8, TD-36: it maps
 * user ids to maps of device ids to JSON objects; any other shape is 400 M_BAD_JSON. Keys are not
 * checked here: invalid user ids are skipped later (TD-27), not refused.
 */
export function checkSendToDeviceBody(body: Json): { ok: true; value: SendToDeviceBody } | Failure {
  const checked = validators.sendToDevice.body(body);
  if (checked.ok) {
    // The input is JSON, so every content the schema accepted as an object is a JSON object.
    return { ok: true, value: checked.value as SendToDeviceBody };
  }
  // The schema's one `required` is `messages`, at the top; when it is missing nothing else is
  // checked, so a `required` error is the only error.
  // Stryker disable next-line MethodExpression: the error list holds either one `required` error alone or no `required` error, so `every` and `some` answer alike
  const missing = checked.errors.some((e) => e.keyword === "required");
  return missing
    ? failure("M_MISSING_PARAM", describeErrors(checked.errors))
    : failure("M_BAD_JSON", describeErrors(checked.errors));
}
