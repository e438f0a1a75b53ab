// The JSON logger: lines of one turn are written together, in order, at its end; lines still
// buffered when the process exits are written before it ends.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { jsonLog } from "../../src/http/json-log.ts";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("jsonLog", () => {
  test("one write per turn, with every line of the turn in order", async () => {
    const writes: string[] = [];
    const log = jsonLog("hs test", (text) => writes.push(text));
    log({ msg: "first", n: 1 });
    log({ msg: "second", n: 2 });
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    const lines = (writes[0] ?? "").split("\n");
    expect(lines.at(-1)).toBe("");
    const parsed = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map(({ t: _t, ...rest }) => rest)).toEqual([
      { component: "hs test", msg: "first", n: 1 },
      { component: "hs test", msg: "second", n: 2 },
    ]);
    expect(Number.isNaN(Date.parse(String(parsed[0]?.t)))).toBe(false);
    log({ msg: "third" });
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toContain('"msg":"third"');
  });

  test("lines logged just before process.exit still reach stderr", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const script = 'import { jsonLog } from "./src/http/json-log.ts"; const log = jsonLog("c"); log({ msg: "a" }); log({ msg: "b" }); process.exit(3);';
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["a", "b"]);
  });
});
