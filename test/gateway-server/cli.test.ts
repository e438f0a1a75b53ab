// Checks `courier serve gateway`'s command line in-process, without starting a server: --help
// lists every flag with its environment variable, and usage errors and bad configuration files
// exit 2 with a message naming the flag or the configuration's key paths. Assumes the command
// reports through the injected io and reads the environment only from it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { serveGatewayCommand } from "../../src/cli/serve-gateway.ts";
import { tempDir } from "./gateway-under-test.ts";

async function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await serveGatewayCommand(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
  });
  return { code, out, err };
}

function configFile(text: string): string {
  const file = join(tempDir("courier-gw-cli-"), "gateway.yaml");
  writeFileSync(file, text);
  return file;
}

describe("courier serve gateway --help", () => {
  test("lists every flag, its environment variable, and the defaults", async () => {
    const { code, out, err } = await run(["--help"]);
    expect([code, err]).toEqual([0, ""]);
    for (const flag of ["--port P", "--host H", "--config FILE", "--data-dir DIR", "--body-limit BYTES", "--provider-timeout MS", "--help"]) {
      expect(out).toContain(flag);
    }
    for (const env of ["COURIER_PORT", "COURIER_HOST", "COURIER_CONFIG", "COURIER_DATA_DIR", "COURIER_BODY_LIMIT", "COURIER_PROVIDER_TIMEOUT"]) {
      expect(out).toContain(env);
    }
    expect(out).toContain("(default: 1048576)");
    expect(out).toContain("in memory only");
    expect(out).toContain("org.courier.sandbox.apns");
    expect(out).toContain("/_courier/deliveries");
  });
});

describe("usage errors exit 2", () => {
  test.each([
    [["--port", "http"], {}, "--port must be a number"],
    [["--port", "70000"], {}, "--port must be an integer from 0 to 65535"],
    [["--port", "1.5"], {}, "--port must be an integer"],
    [["--body-limit", "0"], {}, "--body-limit must be an integer from 1"],
    [["--verbose"], {}, "unknown option --verbose"],
    [["gateway"], {}, "unexpected argument"],
    [[], { COURIER_PORT: "eighty" }, "--port must be an integer"],
  ])("%j %j", async (argv, env, message) => {
    const { code, out, err } = await run(argv, env);
    expect([code, out]).toEqual([2, ""]);
    expect(err).toContain(message);
    expect(err).toContain("--help");
  });
});

describe("a bad configuration file exits 2 with the reason", () => {
  test("every problem is named by its key path", async () => {
    const file = configFile(["apps:", "  org.a: { type: apn }", "  org.b: { type: webhook }", "retry: { initial_delay_ms: -1 }", "colour: blue"].join("\n"));
    const { code, err } = await run(["--config", file]);
    expect(code).toBe(2);
    expect(err).toContain(`invalid configuration in ${file}`);
    for (const path of ["apps.org.a.type", "apps.org.b.url", "retry.initial_delay_ms", "colour: unknown key"]) expect(err).toContain(path);
  });

  test("text that is not YAML", async () => {
    const { code, err } = await run(["--config", configFile("apps: [unclosed")]);
    expect(code).toBe(2);
    expect(err).toContain("not valid YAML");
  });

  test("a file that cannot be read, named through COURIER_CONFIG", async () => {
    const { code, err } = await run([], { COURIER_CONFIG: "/nonexistent/gateway.yaml" });
    expect(code).toBe(2);
    expect(err).toContain("cannot read the configuration file /nonexistent/gateway.yaml");
  });
});
