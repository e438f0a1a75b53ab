// Checks `courier simulate` end to end in-process: a healthy run prints one verdict line per
// guarantee and the throughput, writes --json, and exits 0; a policy that loses messages exits 1
// with the first violation and its trace; bad flags exit 2. Small worlds, fixed seeds.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { simulateCommand } from "../../src/cli/simulate-command.ts";
import { runCaptured } from "../support/capture-output.ts";

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured(() => simulateCommand.run(args));
}

afterEach(() => vi.restoreAllMocks());

describe("courier simulate", () => {
  test("a healthy run: every guarantee holds, figures printed, JSON written", async () => {
    const json = join(mkdtempSync(join(tmpdir(), "courier-sim-")), "run.json");
    const r = await run(["--servers", "2", "--devices", "6", "--messages", "300", "--push", "--seed", "5", "--faults", "loss=0.1,dup=0.05,crash=0.05", "--json", json]);
    expect(r.code, r.out).toBe(0);
    for (const g of ["exactly-once", "order", "idempotency", "liveness", "push-at-least-once", "backoff-bounds"]) expect(r.out).toMatch(new RegExp(`${g}\\s+holds`));
    expect(r.out).toMatch(/simulated messages per second/);
    expect(r.err).toMatch(/100%: 300\/300 actions/);
    const written = JSON.parse(readFileSync(json, "utf8")) as { ok: boolean; figures: { messages: number } };
    expect(written).toMatchObject({ ok: true, figures: { messages: 300 } });
  });

  test("a policy that loses messages exits 1 with the first violation and its trace (TD-19, TD-25)", async () => {
    const traceFile = join(mkdtempSync(join(tmpdir(), "courier-sim-")), "trace.txt");
    const r = await run(["--servers", "2", "--devices", "4", "--messages", "800", "--seed", "3", "--policy", "undelivered-expiry=1", "--trace-file", traceFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/exactly-once\s+VIOLATED/);
    expect(r.out).toMatch(/first violation: exactly-once .*lost: m\d+/);
    expect(readFileSync(traceFile, "utf8")).toMatch(/^\s*1 {2}t=0ms/);
  });

  test("usage errors exit 2; --help exits 0", async () => {
    expect((await run(["--faults", "loss=7"])).code).toBe(2);
    expect((await run(["--policy", "made-up=1"])).code).toBe(2);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/liveness bound/);
  });
});
