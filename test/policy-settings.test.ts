// Policies as text, shared by `courier simulate` and `courier serve homeserver`: every name form
// (the field, the catalogue's name, the field under its group) sets the same place; values are
// parsed by kind and checked by the engine's withPolicies; `serve homeserver` refuses a bad
// setting as a usage error (exit 2) naming it, and lists the policies in its --help.
import { describe, expect, test } from "vitest";
import { SERVE_HOMESERVER_HELP, serveHomeserverCommand } from "../src/cli/serve-homeserver.ts";
import { parsePolicies, POLICY_NAMES } from "../src/policy-settings.ts";
import { runCaptured } from "./support/capture-output.ts";

describe("parsePolicies", () => {
  test("a field, its catalogue name, and the field under its group set the same policy", () => {
    const expected = { push: { zeroCounts: "send" }, federation: {} };
    expect(parsePolicies(["zeroCounts=send"])).toEqual(expected);
    expect(parsePolicies(["zero-counts=send"])).toEqual(expected);
    expect(parsePolicies(["push.zeroCounts=send"])).toEqual(expected);
    expect(parsePolicies(["push.zero-counts=send"])).toEqual(expected);
  });

  test("back-offs are three numbers for federation and four for push; later settings win", () => {
    expect(parsePolicies(["federation.backoff=500,2,8000"]).federation?.backoff).toEqual({ initialMs: 500, multiplier: 2, maxMs: 8000 });
    expect(parsePolicies(["federation-backoff=1,1.5,9", "federationBackoff=2,3,40"]).federation?.backoff).toEqual({ initialMs: 2, multiplier: 3, maxMs: 40 });
    expect(parsePolicies(["push.backoff=100,2,1000,60000"]).push?.backoff).toEqual({ initialMs: 100, multiplier: 2, maxMs: 1000, giveUpAfterMs: 60000 });
  });

  test("what the engine refuses is refused here, naming the policy", () => {
    expect(() => parsePolicies(["federation.backoff=0,2,100"])).toThrow(/invalid federation back-off/);
    expect(() => parsePolicies(["federation.backoff=100,0.5,1000"])).toThrow(/invalid federation back-off/);
    expect(() => parsePolicies(["federation.backoff=100,2,50"])).toThrow(/invalid federation back-off/);
    expect(() => parsePolicies(["federation.backoff=1,2"])).toThrow(/policy federation.backoff: expected initialMs,multiplier,maxMs/);
    expect(() => parsePolicies(["maxEdusPerTransaction=101"])).toThrow(/maxEdusPerTransaction must be an integer from 1 to 100/);
    expect(() => parsePolicies(["push.syncLimit=3"])).toThrow(/unknown policy "push.syncLimit"/);
    expect(() => parsePolicies(["zeroCounts=maybe"])).toThrow(/policy zeroCounts: expected one of omit, send/);
  });
});

describe("courier serve homeserver --policy", () => {
  test("a setting it cannot use is a usage error (exit 2) that names it", async () => {
    for (const [setting, words] of [
      ["nope=1", 'unknown policy "nope"'],
      ["syncLimit=0", "syncLimit"],
      ["federation.backoff=0,2,100", "invalid federation back-off"],
    ] as const) {
      const r = await runCaptured(() => serveHomeserverCommand(["--server-name", "hs.test", "--port", "0", "--policy", setting]));
      expect(r.code).toBe(2);
      expect(r.err).toContain("courier serve homeserver: --policy:");
      expect(r.err).toContain(words);
      expect(r.out).toBe("");
    }
  });

  test("--help lists every policy by name", () => {
    for (const name of POLICY_NAMES) expect(SERVE_HOMESERVER_HELP).toContain(name);
  });
});
