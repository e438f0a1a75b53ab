// The journal returns exactly the commands appended after the latest snapshot, in order, across
// reopening the database, and sequence numbers are never reused after compaction.
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
});
