/**
 * Canonical JSON (the Matrix appendices): the encoder's output on the specification's own
 * examples, key order by code point, and the size function the 65536-byte limits rely on (TD-50,
 * FED-6), which must equal the byte length of the canonical encoding for every JSON value.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonBytes, type Json } from "../../src/canonical-json.ts";
import { assertParams } from "./run-config.ts";

describe("canonicalJson", () => {
  it.each([
    [{}, "{}"],
    [{ one: 1, two: "Two" }, '{"one":1,"two":"Two"}'],
    [{ b: "2", a: "1" }, '{"a":"1","b":"2"}'],
    [{ a: "日本語" }, '{"a":"日本語"}'],
    [{ 本: 2, 日: 1 }, '{"日":1,"本":2}'],
    [{ a: null }, '{"a":null}'],
    [{ a: [3, { z: true, y: false }, "s"] }, '{"a":[3,{"y":false,"z":true},"s"]}'],
  ] as [Json, string][])("encodes %j as %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("orders keys by code point, not by UTF-16 code unit", () => {
    // U+FFFF sorts before U+10000, whose first code unit (0xD800) is below 0xFFFF.
    const value = { "\u{10000}": 1, "\uFFFF": 2 };
    expect(canonicalJson(value)).toBe('{"\uFFFF":2,"\u{10000}":1}');
  });

  it("orders a key before the longer keys it prefixes", () => {
    expect(canonicalJson({ ab: 1, a: 2 })).toBe('{"a":2,"ab":1}');
  });
});

describe("canonicalJsonBytes", () => {
  it("equals the UTF-8 byte length of the canonical encoding, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary", maxDepth: 4 }), (value) => {
        const json = value as Json;
        expect(canonicalJsonBytes(json)).toBe(Buffer.byteLength(canonicalJson(json), "utf8"));
      }),
      assertParams(300),
    );
  });

  it("counts multi-byte characters and escapes as bytes, not characters", () => {
    expect(canonicalJsonBytes({ a: "é" })).toBe(Buffer.byteLength('{"a":"é"}', "utf8"));
    expect(canonicalJsonBytes({ a: '"\n' })).toBe('{"a":"\\"\\n"}'.length);
    expect(canonicalJsonBytes({ a: "\uD800" })).toBe('{"a":"\\ud800"}'.length);
  });

  it("measures a value nested too deep for the native encoder without overflowing the stack", () => {
    let deep: Json = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(canonicalJsonBytes(deep)).toBe(200_000 * 2 + 1);
  });
});
