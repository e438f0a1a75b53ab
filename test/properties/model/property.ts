/**
 * The send-to-device property over an in-process system (the engine or a broken variant): the
 * checker's property (`src/check/todevice/property.ts`) with the system as its target.
 */
import type fc from "fast-check";
import { runOnce as runOnTarget, type RunInput, toDeviceProperty as propertyOn } from "../../../src/check/todevice/property.ts";
import { openSystem, type System } from "./world.ts";

export { commandArbitrary, type RunInput, runInput } from "../../../src/check/todevice/property.ts";

/** Run one command sequence against `system` and throw if the history breaks a guarantee. */
export async function runOnce(system: System, input: RunInput): Promise<void> {
  await runOnTarget(openSystem(system), input);
}

export function toDeviceProperty(system: System): fc.IAsyncPropertyWithHooks<[RunInput]> {
  return propertyOn(openSystem(system));
}
