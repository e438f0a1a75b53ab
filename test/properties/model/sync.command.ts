/** Moved to `src/check/todevice/sync.command.ts`; re-exported for the tests that name it here. */
export { SyncCommand, type SyncMode } from "../../../src/check/todevice/sync.command.ts";
