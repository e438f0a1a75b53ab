/**
 * Engine state to JSON and back, for snapshots. Engine state is plain data — objects, arrays,
 * Maps and Sets of JSON values — so one generic codec serves every engine: Maps and Sets are
 * tagged, everything else is JSON as it stands. Nesting is bounded at the edge (JSON bodies are
 * refused beyond a fixed depth), so the recursion here is bounded too.
 */

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

const MAP = "$map";
const SET = "$set";
const OBJ = "$obj";

export function encodeState(value: unknown): Encoded {
  if (value === null || typeof value !== "object") {
    if (value === undefined) return null;
    return value as Encoded;
  }
  if (value instanceof Map) return { [MAP]: [...value].map(([k, v]) => [encodeState(k), encodeState(v)]) };
  if (value instanceof Set) return { [SET]: [...value].map(encodeState) };
  if (Array.isArray(value)) return value.map(encodeState);
  const out: { [key: string]: Encoded } = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeState(v);
  // An object that happens to have a single tag-like key is wrapped so it decodes as itself.
  const keys = Object.keys(out);
  if (keys.length === 1 && (keys[0] === MAP || keys[0] === SET || keys[0] === OBJ)) return { [OBJ]: out };
  return out;
}

export function decodeState(value: Encoded): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeState);
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const tagged = value[keys[0] as string];
    if (keys[0] === MAP && Array.isArray(tagged)) {
      return new Map(tagged.map((pair) => [decodeState((pair as Encoded[])[0] ?? null), decodeState((pair as Encoded[])[1] ?? null)]));
    }
    if (keys[0] === SET && Array.isArray(tagged)) return new Set(tagged.map(decodeState));
    if (keys[0] === OBJ && tagged !== null && typeof tagged === "object" && !Array.isArray(tagged)) {
      return Object.fromEntries(Object.entries(tagged).map(([k, v]) => [k, decodeState(v)]));
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeState(v)]));
}
