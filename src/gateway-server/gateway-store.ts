/**
 * Durability for the gateway process: the SQLite journal of accepted commands plus snapshots
 * (`src/store/journal.ts`), or nothing at all when no data directory is given.
 *
 * What must survive a restart is the engine's state: the dedupe memory (GW-17: a notify retried
 * after a crash must not reach the provider twice), the token failures (GW-10: a pushkey found
 * invalid is still rejected on its next use), and the deliveries under way. The runtime appends
 * each state-changing command with its `now` before any of its effects leave the process;
 * recovery loads the newest snapshot and replays the journal after it.
 *
 * The journal is replayed under the configuration it was written with (kept in the journal's
 * meta table), because the same commands under another configuration could route and answer
 * differently; then a snapshot is taken and the new configuration takes over from that state.
 */
import { apply, createGateway, type Gateway, type GatewayCommand, type GatewayConfig, type GatewayState } from "../gateway/index.ts";
import { Journal } from "../store/journal.ts";
import { emptyPending, notePending, type PendingWork, prunePending } from "./pending-work.ts";

export const JOURNAL_FILE = "gateway.sqlite";
const CONFIG_KEY = "gateway.config";
export const SNAPSHOT_FORMAT = 1;

/** What a snapshot holds: the engine state, the work pending on it, and the clock's high mark. */
export interface StoredGateway {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly state: GatewayState;
  readonly pending: PendingWork;
  readonly lastNow: number;
}

export interface GatewayStore {
  /** Durable once this returns. */
  append(command: GatewayCommand, now: number): void;
  /** Writes a snapshot and drops the journal it covers. */
  compact(snapshot: StoredGateway): void;
  close(): void;
}

export interface Recovered {
  readonly gateway: Gateway;
  readonly pending: PendingWork;
  readonly lastNow: number;
  /** Journal entries replayed on top of the snapshot. */
  readonly replayed: number;
}

function storedGatewayFrom(raw: unknown): StoredGateway {
  if (typeof raw === "object" && raw !== null && "format" in raw && raw.format === SNAPSHOT_FORMAT && "state" in raw && "pending" in raw) {
    // Written by `compact` below in this format.
    return raw as StoredGateway;
  }
  throw new Error("the data directory holds a gateway snapshot in a format this version does not read");
}

function recover(journal: Journal, config: GatewayConfig): Recovered {
  const snapshot = journal.snapshot();
  const stored = snapshot === null ? null : storedGatewayFrom(snapshot.state);
  const written = journal.getMeta(CONFIG_KEY);
  // Stored by this module from a validated configuration.
  const replayConfig = written === null ? config : (JSON.parse(written) as GatewayConfig);
  const gw = createGateway(replayConfig, stored?.state);
  const pending = stored?.pending ?? emptyPending();
  let lastNow = stored?.lastNow ?? 0;
  let replayed = 0;
  for (const entry of journal.entriesAfter(snapshot?.seq ?? 0)) {
    // Every journaled command was accepted by the engine when it was written.
    const command = entry.command as GatewayCommand;
    notePending(pending, command, apply(gw, command, entry.now).effects);
    lastNow = Math.max(lastNow, entry.now);
    replayed++;
  }
  prunePending(pending, gw.state);
  journal.compact({ format: SNAPSHOT_FORMAT, state: gw.state, pending, lastNow } satisfies StoredGateway);
  journal.setMeta(CONFIG_KEY, JSON.stringify(config));
  return { gateway: createGateway(config, gw.state), pending, lastNow, replayed };
}

function journalStore(journal: Journal): GatewayStore {
  return {
    append: (command, now) => void journal.append(command, now),
    compact: (snapshot) => journal.compact(snapshot),
    close: () => journal.close(),
  };
}

const memoryStore: GatewayStore = { append: () => {}, compact: () => {}, close: () => {} };

/** Opens the store in `dataDir` and recovers the gateway from it; in memory when `dataDir` is undefined. */
export function openGatewayStore(dataDir: string | undefined, config: GatewayConfig): { store: GatewayStore; recovered: Recovered } {
  if (dataDir === undefined) {
    return { store: memoryStore, recovered: { gateway: createGateway(config), pending: emptyPending(), lastNow: 0, replayed: 0 } };
  }
  const journal = new Journal({ dir: dataDir, file: JOURNAL_FILE });
  try {
    return { store: journalStore(journal), recovered: recover(journal, config) };
  } catch (e) {
    journal.close();
    throw e;
  }
}
