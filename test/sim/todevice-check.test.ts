// Checks how a simulation's to-device history is judged: order is per origin server, so two
// origins' messages may interleave either way at a device, but one origin's must keep its
// acceptance order; ids no send carries are unexpected. Hand-made histories, no world.
import { describe, expect, test } from "vitest";
import { History, type SendRecord } from "../../src/sim/history.ts";
import { checkToDevice } from "../../src/sim/todevice-check.ts";

const D = "@u9:hs2.test|D0";

function send(id: string, origin: number, order: number): SendRecord {
  return { id, sender: `@u${origin}:hs${origin + 1}.test|D0`, origin, kind: "toDevice", recipients: [D], txnId: id, outcome: "ok", order, acceptedAt: order, ackedAt: order, attempts: 1 };
}

function history(sends: SendRecord[], chain: string[][]): History {
  const h = new History();
  for (const s of sends) h.addSend(s);
  for (const ids of chain) h.commit(D, ids);
  return h;
}

const findings = (h: History) => checkToDevice(h).flatMap((v) => [...v.lost, ...v.duplicated, ...v.unexpected, ...v.reordered].map((x) => `${v.origin}:${x.id}`));

describe("to-device verdict, split by origin (TD-20, FED-20)", () => {
  test("two origins interleaving out of global acceptance order is not a reordering", () => {
    const h = history([send("a1", 0, 1), send("b1", 1, 2), send("a2", 0, 3)], [["b1"], ["a1", "a2"]]);
    expect(findings(h)).toEqual([]);
  });

  test("one origin's messages out of its acceptance order are reordered", () => {
    const h = history([send("a1", 0, 1), send("a2", 0, 3)], [["a2", "a1"]]);
    expect(checkToDevice(h).flatMap((v) => v.reordered.map((r) => r.id))).toEqual(["a1"]);
  });

  test("lost, duplicated and never-sent ids are each reported", () => {
    const h = history([send("a1", 0, 1), send("a2", 0, 2)], [["a1", "zz"], ["a1"]]);
    const v = checkToDevice(h);
    expect(v.flatMap((x) => x.lost.map((l) => l.id))).toEqual(["a2"]);
    expect(v.flatMap((x) => x.duplicated.map((l) => l.id))).toEqual(["a1"]);
    expect(v.flatMap((x) => x.unexpected.map((l) => `${x.origin}:${l.id}`))).toEqual(["-1:zz"]);
  });
});
