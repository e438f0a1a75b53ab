/** Moved to `src/check/todevice/send.command.ts`; re-exported for the tests that name it here. */
export { type DeviceSpec, SendCommand, type SendSpec } from "../../../src/check/todevice/send.command.ts";
export { pick } from "../../../src/check/todevice/world.ts";
