/** Moved to `src/check/todevice/replay.command.ts`; re-exported for the tests that name it here. */
export { ReplayCommand } from "../../../src/check/todevice/replay.command.ts";
