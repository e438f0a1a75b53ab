/** Moved to `src/check/todevice/device.commands.ts`; re-exported for the tests that name it here. */
export { DeleteDeviceCommand, LoginCommand } from "../../../src/check/todevice/device.commands.ts";
