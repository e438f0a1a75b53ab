// The journal returns exactly the commands appended after the latest snapshot, in order, across
// reopening the database, and sequence numbers are never reused after compaction. Compaction is
// due once the journal since the snapshot is as large as the snapshot (and past a floor), counted
// in UTF-8 bytes, across reopening too.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { Journal } from "../../src/store/journal.ts";

function dir(): string {
  return mkdtempSync(join(tmpdir(), "courier-journal-"));
}

describe("Journal", () => {
  test("replays appended commands in order after reopening", () => {
    const d = dir();
    const j = new Journal({ dir: d });
    j.append({ type: "a" }, 1);
    j.appendBatch([{ command: { type: "b" }, now: 2 }, { command: { type: "c" }, now: 3 }]);
    j.close();
    const again = new Journal({ dir: d });
    expect([...again.entriesAfter(0)].map((e) => [e.command, e.now])).toEqual([
      [{ type: "a" }, 1],
      [{ type: "b" }, 2],
      [{ type: "c" }, 3],
    ]);
    again.close();
  });

  test("compaction keeps only what the snapshot does not cover, and never reuses a sequence number", () => {
    const d = dir();
    const j = new Journal({ dir: d });
    j.append({ n: 1 }, 1);
    j.append({ n: 2 }, 2);
    j.compact({ state: "after-2" });
    expect(j.journalLength()).toBe(0);
    const seq = j.append({ n: 3 }, 3);
    expect(seq).toBe(3);
    j.close();
    const again = new Journal({ dir: d });
    const snap = again.snapshot();
    expect(snap).toEqual({ seq: 2, state: { state: "after-2" } });
    expect([...again.entriesAfter(snap?.seq ?? 0)].map((e) => e.command)).toEqual([{ n: 3 }]);
    again.close();
  });

  test("compaction is due when the journal reaches the floor, then when it reaches the snapshot's size, also after reopening", () => {
    const d = dir();
    const j = new Journal({ dir: d });
    const command = { pad: "é".repeat(45) }; // {"pad":"…"}: 10 bytes plus 90 for the 45 two-byte characters
    expect(Buffer.byteLength(JSON.stringify(command))).toBe(100);
    for (let i = 0; i < 4; i++) j.append(command, i);
    expect(j.dueForCompaction(500)).toBe(false);
    j.append(command, 5);
    expect(j.dueForCompaction(500)).toBe(true);
    const state = { big: "x".repeat(990) }; // {"big":"…"}: 1000 bytes of JSON
    j.compact(state);
    expect(j.dueForCompaction(500)).toBe(false);
    j.appendBatch(Array.from({ length: 9 }, (_, i) => ({ command, now: 10 + i })));
    expect(j.dueForCompaction(500)).toBe(false);
    j.close();
    const again = new Journal({ dir: d });
    expect(again.dueForCompaction(500)).toBe(false);
    expect(again.dueForCompaction(0)).toBe(false);
    again.append(command, 20);
    expect(again.dueForCompaction(500)).toBe(true);
    expect(again.dueForCompaction(1_001)).toBe(false);
    again.close();
  });
});
