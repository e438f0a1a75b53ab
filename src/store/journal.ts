/**
 * Durability: a journal of accepted commands plus snapshots, in an embedded SQLite database.
 * The engine never knows it is durable: the driver appends each state-changing command (with the
 * `now` it was applied at) before any of its effects leave the process, and recovery loads the
 * newest snapshot and replays the journal after it. Compaction writes a snapshot and drops the
 * journal rows it covers, so the journal stays bounded.
 *
 * When to compact: once the journal since the snapshot is as large as the snapshot was (and past
 * a floor). A snapshot costs time in proportion to the state, so compacting every N commands costs
 * more per command the larger the state grows; this rule writes at most one byte of snapshot per
 * byte of journal, and recovery never replays more than about one state's worth of commands.
 *
 * WAL with `synchronous = NORMAL` survives a killed process (the data is in the OS cache once
 * the commit returns); `synchronous = FULL` also survives power loss, at a cost per commit.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

export interface JournalEntry {
  readonly seq: number;
  readonly now: number;
  readonly command: unknown;
}

export interface JournalOptions {
  readonly dir: string;
  readonly file?: string;
  readonly fullSync?: boolean;
}

export class Journal {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number]>;
  private readonly insertMany: (rows: ReadonlyArray<{ command: unknown; now: number }>) => void;
  private lastSeq: number;
  /** Bytes of command JSON journaled since the snapshot, and the snapshot's own size. */
  private journalBytes: number;
  private snapshotBytes: number;

  constructor(options: JournalOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.db = new Database(join(options.dir, options.file ?? "courier.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.fullSync ? "FULL" : "NORMAL"}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, now INTEGER NOT NULL, command TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.insert = this.db.prepare("INSERT INTO journal (command, now) VALUES (?, ?)");
    const many = this.db.transaction((rows: ReadonlyArray<{ command: unknown; now: number }>) => {
      for (const r of rows) this.append(r.command, r.now);
    });
    this.insertMany = (rows) => many(rows);
    const row = this.db.prepare("SELECT MAX(seq) AS seq FROM journal").get() as { seq: number | null };
    const snap = this.db.prepare("SELECT seq FROM snapshot WHERE id = 1").get() as { seq: number } | undefined;
    this.lastSeq = Math.max(row.seq ?? 0, snap?.seq ?? 0);
    const sizes = this.db
      .prepare("SELECT (SELECT COALESCE(SUM(LENGTH(CAST(command AS BLOB))), 0) FROM journal) AS journal, (SELECT COALESCE(SUM(LENGTH(CAST(state AS BLOB))), 0) FROM snapshot) AS snapshot")
      .get() as { journal: number; snapshot: number };
    this.journalBytes = sizes.journal;
    this.snapshotBytes = sizes.snapshot;
  }

  /** Durable once this returns (inside `appendBatch`, once the batch commits). */
  append(command: unknown, now: number): number {
    const text = JSON.stringify(command);
    // AUTOINCREMENT: sequence numbers are never reused after compaction empties the table.
    this.lastSeq = Number(this.insert.run(text, now).lastInsertRowid);
    this.journalBytes += Buffer.byteLength(text);
    return this.lastSeq;
  }

  /** Several commands in one commit (group commit). */
  appendBatch(rows: ReadonlyArray<{ command: unknown; now: number }>): void {
    this.insertMany(rows);
  }

  snapshot(): { seq: number; state: unknown } | null {
    const row = this.db.prepare("SELECT seq, state FROM snapshot WHERE id = 1").get() as { seq: number; state: string } | undefined;
    return row === undefined ? null : { seq: row.seq, state: JSON.parse(row.state) };
  }

  *entriesAfter(seq: number): Generator<JournalEntry> {
    const rows = this.db.prepare("SELECT seq, now, command FROM journal WHERE seq > ? ORDER BY seq").iterate(seq) as Iterable<{ seq: number; now: number; command: string }>;
    for (const r of rows) yield { seq: r.seq, now: r.now, command: JSON.parse(r.command) };
  }

  /** Write a snapshot of the state after `lastSeq` and drop the journal it covers. */
  compact(state: unknown): void {
    const seq = this.lastSeq;
    const text = JSON.stringify(state);
    this.db.transaction(() => {
      this.db.prepare("INSERT OR REPLACE INTO snapshot (id, seq, state) VALUES (1, ?, ?)").run(seq, text);
      this.db.prepare("DELETE FROM journal WHERE seq <= ?").run(seq);
    })();
    this.journalBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
  }

  /** The journal since the snapshot is at least `floorBytes` and at least the snapshot's size. */
  dueForCompaction(floorBytes: number): boolean {
    return this.journalBytes >= Math.max(floorBytes, this.snapshotBytes);
  }

  journalLength(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM journal").get() as { n: number }).n;
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
