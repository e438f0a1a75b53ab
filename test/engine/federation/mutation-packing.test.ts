// Checks that EDU packing is as tight as its rules allow (FED-10): an EDU is closed only when the
// next user (whole) or, for a user split by device, the next message would not fit; a user is
// split only when they do not fit in an EDU of their own; and the id source is held to FED-5.
// Property over random requests and small budgets, plus the exact-fit cases; assumes fixed-width
// message ids so sizes do not depend on how many EDUs came before.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJsonBytes, type Json } from "../../../src/canonical-json.ts";
import {
  type DeviceMessages,
  type DirectToDeviceEdu,
  type MessagesByUser,
  packDirectToDevice,
} from "../../../src/engine/federation/edu-packing.ts";
import type { UserId } from "../../../src/ids.ts";

const RUNS = 150 * (process.env.COURIER_DEEP ? 100 : 1);
const sender = "@alice:a.example" as UserId;

function pack(messages: MessagesByUser, limit: number): DirectToDeviceEdu[] {
  let n = 0;
  return packDirectToDevice({ sender, eventType: "m.test", messages }, () => `m${String(++n).padStart(6, "0")}`, limit);
}

/** `edu` with `devices` added to `user`'s map (created if absent). */
function plus(edu: DirectToDeviceEdu, user: string, devices: DeviceMessages): DirectToDeviceEdu {
  const messages = { ...edu.content.messages, [user]: { ...edu.content.messages[user], ...devices } };
  return { ...edu, content: { ...edu.content, messages } };
}

const size = (edu: DirectToDeviceEdu) => canonicalJsonBytes(edu as unknown as Json);
const count = (edu: DirectToDeviceEdu) => Object.values(edu.content.messages).reduce((n, ds) => n + Object.keys(ds).length, 0);

/** Throws unless `edus` is a tight packing of `messages` under `limit`. */
function checkTight(messages: MessagesByUser, limit: number, edus: readonly DirectToDeviceEdu[]): void {
  const empty = (edu: DirectToDeviceEdu): DirectToDeviceEdu => ({ ...edu, content: { ...edu.content, messages: {} } });
  const holders = new Map<string, number>();
  for (const edu of edus) {
    if (size(edu) > limit) expect(count(edu)).toBe(1);
    for (const user of Object.keys(edu.content.messages)) holders.set(user, (holders.get(user) ?? 0) + 1);
  }
  for (const [user, n] of holders) {
    // Split by device only when the user does not fit in an EDU of their own.
    const whole = messages[user] ?? {};
    if (n > 1) expect(size(plus(empty(edus[0] as DirectToDeviceEdu), user, whole))).toBeGreaterThan(limit);
  }
  for (let i = 0; i + 1 < edus.length; i++) {
    const closed = edus[i] as DirectToDeviceEdu;
    const next = edus[i + 1] as DirectToDeviceEdu;
    const [user, devices] = Object.entries(next.content.messages)[0] ?? ["", {}];
    const whole = messages[user] ?? {};
    const split = (holders.get(user) ?? 0) > 1;
    const [device, content] = Object.entries(devices)[0] ?? ["", {}];
    const candidate = split ? plus(closed, user, { [device]: content }) : plus(closed, user, whole);
    expect(size(candidate)).toBeGreaterThan(limit);
  }
}

const request: fc.Arbitrary<MessagesByUser> = fc
  .uniqueArray(fc.tuple(fc.constantFrom("@b:x", "@c:x", "@d:x", "@e:x"), fc.dictionary(fc.constantFrom("D1", "D2", "D3", "*"), fc.record({ p: fc.string({ maxLength: 90 }) }), { minKeys: 1 })), { selector: ([u]) => u, minLength: 1 })
  .map((entries) => Object.fromEntries(entries));

describe("packDirectToDevice is tight (FED-10)", () => {
  it("property: closes an EDU only when the next user, or the next message of a split user, would not fit", () => {
    fc.assert(
      fc.property(request, fc.integer({ min: 120, max: 700 }), (messages, limit) => {
        checkTight(messages, limit, pack(messages, limit));
      }),
      { numRuns: RUNS },
    );
  });

  it("fills an EDU to exactly the budget, by whole users and by devices", () => {
    const two = { "@b:x": { D1: { p: "aaaa" } }, "@c:x": { D1: { p: "bbbb" } } };
    const both = pack(two, 65536)[0] as DirectToDeviceEdu;
    expect(pack(two, size(both))).toHaveLength(1);
    const big = { "@b:x": { D1: { p: "a".repeat(40) }, D2: { p: "b".repeat(40) }, D3: { p: "c".repeat(40) } } };
    const firstTwo = pack({ "@b:x": { D1: big["@b:x"].D1, D2: big["@b:x"].D2 } }, 65536)[0] as DirectToDeviceEdu;
    const split = pack(big, size(firstTwo));
    expect(split.map((e) => Object.keys(e.content.messages["@b:x"] ?? {}))).toEqual([["D1", "D2"], ["D3"]]);
  });

  it("moves a user who exactly fits an EDU of their own to a new one rather than splitting them", () => {
    const alone = { "@c:x": { D1: { p: "c".repeat(60) }, D2: { p: "d".repeat(60) } } };
    const limit = size(pack(alone, 65536)[0] as DirectToDeviceEdu);
    const edus = pack({ "@b:x": { D1: { p: "b" } }, ...alone }, limit);
    expect(edus.map((e) => Object.keys(e.content.messages))).toEqual([["@b:x"], ["@c:x"]]);
    checkTight({ "@b:x": { D1: { p: "b" } }, ...alone }, limit, edus);
  });

  it("never lets a split user's first message push an EDU one byte over the budget", () => {
    const first = { "@b:x": { D1: { p: "b" } } };
    const base = pack(first, 65536)[0] as DirectToDeviceEdu;
    const limit = size(base) + 60;
    // The smallest content whose device entry overflows the open EDU by one byte.
    let n = 0;
    while (size(plus(base, "@c:x", { D1: { p: "x".repeat(n) } })) <= limit) n++;
    const messages = { ...first, "@c:x": { D1: { p: "x".repeat(n) }, D2: { p: "y".repeat(limit) } } };
    const edus = pack(messages, limit);
    checkTight(messages, limit, edus);
    expect(Object.keys(edus[0]?.content.messages ?? {})).toEqual(["@b:x"]);
  });
});

describe("the message id source (FED-5)", () => {
  it("must give fresh, non-empty ids of at most 32 code points", () => {
    const messages = { "@b:x": { D1: { p: "a".repeat(100) } }, "@c:x": { D1: { p: "b".repeat(100) } } };
    const run = (ids: string[]) => () => packDirectToDevice({ sender, eventType: "m.x", messages }, () => ids.shift() ?? "late", 150);
    for (const ids of [[""], ["x".repeat(33)], ["same", "same"]]) expect(run(ids)).toThrowError(/\S/);
    expect(run(["é".repeat(32), "b"])().map((e) => e.content.message_id)).toEqual(["é".repeat(32), "b"]);
  });
});
