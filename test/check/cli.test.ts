// Checks `courier check` as a command: flags become checker options (with usage errors that
// name the flag, exit 2), `--help` prints the flags, a run against Courier's gateway exits 0
// with a summary on stdout and the whole report in the --json file, and a run against a broken
// gateway exits 1 and prints the numbered counterexample. Assumes loopback networking.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseFlags } from "../../src/cli/args.ts";
import { CHECK_FLAGS, checkCommand, checkOptionsFrom } from "../../src/cli/check-command.ts";
import { progressLine } from "../../src/check/report.ts";
import { startGateway, startPlainTextGateway } from "./broken-servers.ts";
import { runCaptured } from "../support/capture-output.ts";

function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured(() => checkCommand.run(argv));
}

afterEach(() => vi.restoreAllMocks());

describe("flags", () => {
  const options = (argv: string[]) => checkOptionsFrom(parseFlags(argv, CHECK_FLAGS, {}));

  test("become checker options", () => {
    const o = options(["--homeserver", "http://h", "--suite", "todevice,push", "--suite", "gateway", "--runs", "3", "--seed", "9", "--federation-tap", "127.0.0.1:9000", "--tokens-file", "t.json", "--compare-with", "reference"]);
    expect(o).toMatchObject({ homeserver: "http://h", suites: ["todevice", "push", "gateway"], runs: 3, seed: 9, compare: true, federationTap: { host: "127.0.0.1", port: 9000 } });
    expect(o.accounts).toEqual({ kind: "tokens", file: "t.json" });
    expect(options(["--gateway", "http://g"])).toMatchObject({ compare: false, syncLimit: 100, policyCases: false, accounts: { kind: "registration" }, shrinkMs: 60_000 });
  });

  test("usage errors exit 2 and name the problem", async () => {
    expect((await run([])).err).toMatch(/give --homeserver URL and\/or --gateway URL/);
    expect((await run(["--gateway", "http://x", "--suite", "nope"])).err).toMatch(/unknown suite "nope"/);
    expect((await run(["--homeserver", "http://x", "--tokens-file", "f", "--registration-shared-secret", "s"])).code).toBe(2);
    expect((await run(["--gateway", "http://x", "--compare-with", "synapse"])).err).toMatch(/only "reference"/);
    expect((await run(["--gateway", "http://x", "--federation-tap", "nowhere"])).err).toMatch(/HOST:PORT/);
  });

  test("--help lists the flags", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--homeserver", "--second-homeserver", "--gateway", "--suite", "--runs", "--seed", "--json", "--compare-with", "--registration-shared-secret", "--tokens-file"]) {
      expect(out).toContain(flag);
    }
  });
});

describe("runs", () => {
  test("against Courier's gateway: exit 0, a summary, and the JSON report", async () => {
    const gateway = await startGateway();
    const file = join(mkdtempSync(join(tmpdir(), "courier-check-")), "report.json");
    try {
      const { code, out } = await run(["--gateway", gateway.url, "--seed", "5", "--runs", "2", "--json", file, "--no-progress"]);
      expect(code).toBe(0);
      expect(out).toMatch(/gateway\.validation\s+passed\s+2/);
      expect(out).toContain("All properties hold; seed 5");
      const report = JSON.parse(readFileSync(file, "utf8")) as { ok: boolean; seed: number; results: unknown[] };
      expect(report).toMatchObject({ ok: true, seed: 5 });
      expect(report.results).toHaveLength(3);
    } finally {
      await gateway.close();
    }
  }, 30_000);

  test("against a broken gateway: exit 1 and the counterexample as a numbered trace", async () => {
    const gateway = await startPlainTextGateway("org.courier.sandbox.apns");
    try {
      const { code, out } = await run(["--gateway", gateway.url, "--seed", "5", "--suite", "gateway"]);
      expect(code).toBe(1);
      expect(out).toMatch(/gateway\.validation\s+FAILED/);
      expect(out).toMatch(/counterexample, step by step:\n\s+1\. a malformed request: /);
      expect(out).toMatch(/replay: courier check --gateway \S+ --suite gateway --seed 5/);
    } finally {
      await gateway.close();
    }
  }, 30_000);
});

test("the progress line fills with the runs and says when it shrinks", () => {
  expect(progressLine("p", 5, 10, "run")).toBe("[##########..........] 5/10 p");
  expect(progressLine("p", 3, 10, "shrink")).toBe("[####################] p: shrinking (try 3)");
});
