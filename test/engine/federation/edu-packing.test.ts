// Checks how one request's messages for one destination are packed into m.direct_to_device EDUs
// (FED-4, FED-5, FED-6, FED-10), mirroring Synapse's splitting cases, plus a property: every
// (user, device) message is carried exactly once, in order, by EDUs within the byte budget unless
// they hold a single message. Assumes the id source returns fresh ids of at most 32 characters.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJsonBytes } from "../../../src/canonical-json.ts";
import {
  type DirectToDeviceEdu,
  type MessagesByUser,
  packDirectToDevice,
} from "../../../src/engine/federation/edu-packing.ts";
import type { UserId } from "../../../src/ids.ts";

const RUNS = 200 * (process.env.COURIER_DEEP ? 100 : 1);
const sender = "@alice:a.example" as UserId;
const KIB64 = 65536;

function counter(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** Fixed-width ids, so an EDU's size does not depend on how many came before it. */
function pack(messages: MessagesByUser, limit = KIB64): DirectToDeviceEdu[] {
  let n = 0;
  return packDirectToDevice({ sender, eventType: "m.test", messages }, () => `m${String(++n).padStart(6, "0")}`, limit);
}

/** Every (user, device, content) an EDU list carries, in order. */
function carried(edus: readonly DirectToDeviceEdu[]): [string, string, unknown][] {
  return edus.flatMap((e) =>
    Object.entries(e.content.messages).flatMap(([u, ds]) => Object.entries(ds).map(([d, c]): [string, string, unknown] => [u, d, c])),
  );
}

function requested(messages: MessagesByUser): [string, string, unknown][] {
  return Object.entries(messages).flatMap(([u, ds]) => Object.entries(ds).map(([d, c]): [string, string, unknown] => [u, d, c]));
}

describe("packDirectToDevice: Synapse's splitting cases (FED-10)", () => {
  it("small messages for several users and devices share one EDU with every field set (FED-4, FED-5)", () => {
    const messages = { "@bob:b.example": { D1: { a: 1 }, D2: { a: 2 } }, "@carol:b.example": { D3: {} } };
    const edus = pack(messages);
    expect(edus).toEqual([
      { edu_type: "m.direct_to_device", content: { sender, type: "m.test", message_id: "m000001", messages } },
    ]);
  });

  it("two users with (64 KiB - 1000 bytes) each go in two EDUs, one user each", () => {
    const big = { body: "x".repeat(KIB64 - 1000) };
    const edus = pack({ "@bob:b.example": { D1: big }, "@carol:b.example": { D2: big } });
    expect(edus.map((e) => Object.keys(e.content.messages))).toEqual([["@bob:b.example"], ["@carol:b.example"]]);
    for (const e of edus) expect(canonicalJsonBytes(e)).toBeLessThanOrEqual(KIB64);
  });

  it("one user with two such devices is split by device into two EDUs", () => {
    const big = { body: "x".repeat(KIB64 - 1000) };
    const edus = pack({ "@bob:b.example": { D1: big, D2: big } });
    expect(edus.map((e) => e.content.messages)).toEqual([{ "@bob:b.example": { D1: big } }, { "@bob:b.example": { D2: big } }]);
  });

  it("an EDU of exactly 65535 or 65536 bytes stays whole; one byte more splits it", () => {
    const sized = (pad: number): MessagesByUser => ({
      "@bob:b.example": { D1: { body: "x".repeat(pad) } },
      "@carol:b.example": { D2: { body: "y" } },
    });
    const base = canonicalJsonBytes(pack(sized(0), Number.POSITIVE_INFINITY)[0] ?? null);
    for (const target of [KIB64 - 1, KIB64]) {
      const edus = pack(sized(target - base));
      expect(edus).toHaveLength(1);
      expect(canonicalJsonBytes(edus[0] ?? null)).toBe(target);
    }
    expect(pack(sized(KIB64 + 1 - base))).toHaveLength(2);
  });

  it("a single message above the budget travels alone, between its neighbours", () => {
    const huge = { body: "x".repeat(KIB64 + 10) };
    const edus = pack({ "@bob:b.example": { D1: { n: 1 }, D2: huge, D3: { n: 3 } } });
    expect(edus.map((e) => Object.keys(e.content.messages["@bob:b.example"] ?? {}))).toEqual([["D1"], ["D2"], ["D3"]]);
    expect(canonicalJsonBytes(edus[1] ?? null)).toBeGreaterThan(KIB64);
  });

  it("passes `*` through unexpanded and keeps a device called __proto__ (FED-6)", () => {
    const messages = JSON.parse('{"@bob:b.example": {"*": {"k": 1}, "__proto__": {"k": 2}}}') as MessagesByUser;
    expect(requested(messages)).toHaveLength(2);
    expect(carried(pack(messages))).toEqual(requested(messages));
  });

  it("sends nothing for users with no devices, and nothing at all for no messages", () => {
    expect(pack({})).toEqual([]);
    expect(pack({ "@bob:b.example": {} })).toEqual([]);
    expect(carried(pack({ "@bob:b.example": {}, "@carol:b.example": { D: {} } }))).toEqual([["@carol:b.example", "D", {}]]);
  });
});

describe("packDirectToDevice: message ids (FED-5)", () => {
  it("draws one id per EDU from the caller's source, in EDU order", () => {
    const big = { body: "x".repeat(40_000) };
    const ids = counter("id-");
    const edus = packDirectToDevice({ sender, eventType: "m.test", messages: { "@b:b.example": { D1: big, D2: big, D3: big } } }, ids);
    expect(edus.map((e) => e.content.message_id)).toEqual(["id-1", "id-2", "id-3"]);
    expect(ids()).toBe("id-4");
  });

  it("refuses an id source that breaks the schema or repeats itself (caller misuse)", () => {
    const input = { sender, eventType: "m.test", messages: { "@b:b.example": { D1: { body: "x".repeat(40_000) }, D2: { body: "y".repeat(40_000) } } } };
    expect(() => packDirectToDevice(input, () => "x".repeat(33))).toThrow(RangeError);
    expect(() => packDirectToDevice(input, () => "")).toThrow(RangeError);
    expect(() => packDirectToDevice(input, () => "same")).toThrow(RangeError);
    // 32 code points is the limit even when they take 64 UTF-16 units.
    expect(packDirectToDevice(input, counter("😀".repeat(30)))[0]?.content.message_id).toBe(`${"😀".repeat(30)}1`);
  });
});

const deviceIds = fc.constantFrom("D1", "D2", "D3", "*", "__proto__", "7");
const content = fc.record({ body: fc.string({ unit: fc.constantFrom("a", "é", "\n", "😀"), maxLength: 400 }) });
const messagesArb: fc.Arbitrary<MessagesByUser> = fc.dictionary(
  fc.constantFrom("@u1:b.example", "@u2:b.example", "@u3:b.example", "@user-with-a-long-name:b.example"),
  fc.dictionary(deviceIds, content, { maxKeys: 6 }),
  { maxKeys: 4 },
);

describe("packDirectToDevice: property (FED-10)", () => {
  it("covers every message exactly once, in order, each EDU within budget unless it holds one message", () => {
    const limits = fc.record({ random: fc.integer({ min: 150, max: 3000 }), users: fc.nat(4), delta: fc.integer({ min: -2, max: 2 }) });
    const prop = fc.property(messagesArb, fc.boolean(), limits, (messages, atBoundary, { random, users, delta }) => {
      // Half the runs put the budget within 2 bytes of an EDU holding exactly the first users.
      const prefix = Object.fromEntries(Object.entries(messages).slice(0, users));
      const whole = pack(prefix, Number.POSITIVE_INFINITY)[0];
      const limit = atBoundary && whole !== undefined ? Math.max(150, canonicalJsonBytes(whole) + delta) : random;
      const edus = pack(messages, limit);
      expect(carried(edus)).toEqual(requested(messages));
      const ids = edus.map((e) => e.content.message_id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const edu of edus) {
        if (carried([edu]).length > 1) expect(canonicalJsonBytes(edu)).toBeLessThanOrEqual(limit);
      }
      // "Split first by user": a user spans several EDUs only if they fill more than one alone.
      for (const [user, devices] of Object.entries(messages)) {
        const holders = edus.filter((e) => e.content.messages[user] !== undefined);
        if (holders.length > 1) {
          const alone = pack({ [user]: devices }, Number.POSITIVE_INFINITY)[0] ?? null;
          expect(canonicalJsonBytes(alone)).toBeGreaterThan(limit);
        }
      }
    });
    fc.assert(prop, { numRuns: RUNS });
  });
});
