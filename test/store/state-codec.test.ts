// Engine state survives the snapshot codec unchanged: Maps, Sets, nested objects and objects
// whose only key looks like a codec tag all decode to what was encoded.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeState, encodeState } from "../../src/store/state-codec.ts";

const RUNS = 300 * (process.env.COURIER_DEEP ? 100 : 1);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("$map", "$set", "$obj")), tie("value"), { maxKeys: 3 }),
    fc.array(fc.tuple(fc.string(), tie("value")), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }).map((xs) => new Set(xs)),
  ),
}));

describe("state codec", () => {
  test("decode(JSON(encode(x))) equals x", () => {
    fc.assert(
      fc.property(value, (x) => {
        const back = decodeState(JSON.parse(JSON.stringify(encodeState(x))));
        expect(back).toEqual(x);
      }),
      { numRuns: RUNS },
    );
  });

  test("a Map keeps its insertion order", () => {
    const m = new Map([["b", 1], ["a", 2]]);
    expect([...(decodeState(encodeState(m)) as Map<string, number>).keys()]).toEqual(["b", "a"]);
  });
});
