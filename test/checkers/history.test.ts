// Checks the history checker itself on hand-made histories, one per kind of violation
// (TD-11 exactly-once, TD-20 order), plus a clean history and the exemption for deleted devices.
import { describe, expect, test } from "vitest";
import { checkHistory, type History, type RecordedSend } from "./history.ts";

const send = (id: string, recipients: string[], order: number, outcome: RecordedSend["outcome"] = "ok"): RecordedSend => ({
  id,
  sender: "A",
  recipients,
  outcome,
  order,
});

const history = (sends: RecordedSend[], chains: Record<string, string[][]>, exempt: string[] = []): History => ({
  sends,
  chains: new Map(Object.entries(chains)),
  exempt: new Set(exempt),
});

describe("checkHistory", () => {
  test("a clean history: every ok message once, in order; unknown outcomes may be absent", () => {
    const v = checkHistory(
      history([send("m1", ["B", "C"], 1), send("m2", ["B"], 2, "unknown"), send("m3", ["B"], 3), send("m4", ["C"], 4, "unknown")], {
        B: [["m1"], [], ["m2", "m3"]],
        C: [["m1"]],
      }),
    );
    expect(v).toEqual({ ok: true, lost: [], duplicated: [], unexpected: [], reordered: [] });
  });

  test("TD-11 lost: an acknowledged message never committed by an addressed device", () => {
    const v = checkHistory(history([send("m1", ["B", "C"], 1)], { B: [["m1"]], C: [[]] }));
    expect(v.ok).toBe(false);
    expect(v.lost).toEqual([{ device: "C", id: "m1" }]);
  });

  test("TD-11 lost: a device with no chain at all loses everything addressed to it", () => {
    expect(checkHistory(history([send("m1", ["B"], 1)], {})).lost).toEqual([{ device: "B", id: "m1" }]);
  });

  test("TD-11 duplicated: committed twice, across responses or within one", () => {
    const v = checkHistory(history([send("m1", ["B"], 1), send("m2", ["B"], 2)], { B: [["m1"], ["m1", "m2", "m2", "m2"]] }));
    expect(v.duplicated).toEqual([
      { device: "B", id: "m1", count: 2 },
      { device: "B", id: "m2", count: 3 },
    ]);
    expect(v.reordered).toEqual([]);
  });

  test("TD-11 unexpected: never sent, sent to another device, or from a failed (413) send", () => {
    const v = checkHistory(
      history([send("m1", ["C"], 1), send("big", ["B"], 2, "failed")], { B: [["ghost", "m1", "big"]], C: [["m1"]] }),
    );
    expect(v.unexpected).toEqual([
      { device: "B", id: "ghost" },
      { device: "B", id: "m1" },
      { device: "B", id: "big" },
    ]);
    expect(v.lost).toEqual([]);
  });

  test("TD-20 reordered: a message committed after one the server accepted later", () => {
    const v = checkHistory(history([send("m1", ["B"], 1), send("m2", ["B"], 2), send("m3", ["B"], 3)], { B: [["m2"], ["m1", "m3"]] }));
    expect(v.reordered).toEqual([{ device: "B", id: "m1", after: "m2" }]);
    expect(v.lost).toEqual([]);
  });

  test("exempt (deleted) devices are owed nothing, but may still not receive strangers", () => {
    const v = checkHistory(history([send("m1", ["B"], 1), send("m2", ["C"], 2)], { B: [["m2"]] }, ["B"]));
    expect(v.lost).toEqual([{ device: "C", id: "m2" }]);
    expect(v.unexpected).toEqual([{ device: "B", id: "m2" }]);
  });

  test("ids must be unique in the sends: a malformed history is refused, not judged", () => {
    expect(() => checkHistory(history([send("m1", ["B"], 1), send("m1", ["B"], 2)], {}))).toThrow(/unique/);
  });
});
