// The checker validates itself: `courier check` passes against Courier's own homeservers and
// gateway (every suite, compared with the in-process reference, no divergence), and fails, with
// a shrunk counterexample naming the broken guarantee, against each deliberately broken server of
// broken-servers.ts. Assumes loopback networking; fixed seeds, few runs, real time (the push
// retries wait 1 s, 2 s).
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CheckOptions, type CheckReport, runCheck } from "../../src/check/check.ts";
import { FederationTap } from "../../src/check/federation/tap.ts";
import type { PropertyResult } from "../../src/check/runner.ts";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import type { RunningHomeserver } from "../../src/homeserver-server/server.ts";
import { DEEP } from "../properties/run-config.ts";
import { type Bug, startGateway, startPlainTextGateway, startServer } from "./broken-servers.ts";

const SEED = Number(process.env.COURIER_SEED ?? 20_260_801);

function options(overrides: Partial<CheckOptions>): CheckOptions {
  return {
    seed: SEED,
    shrinkMs: 20_000,
    compare: false,
    accounts: { kind: "registration" },
    syncLimit: 100,
    policyCases: false,
    recorder: { host: "127.0.0.1", port: 0, hangMs: 500 },
    pushWaitMs: 5_000,
    minBackoffMs: 500,
    federationWaitMs: 5_000,
    gatewayAppId: "org.courier.sandbox.apns",
    ...overrides,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Two homeservers federating, the first reaching the second through a tap; `bug` in the second. */
async function federation(bug?: Bug): Promise<{ first: RunningHomeserver; second: RunningHomeserver; tap: FederationTap; close(): Promise<void> }> {
  const [p1, p2] = [await freePort(), await freePort()];
  const [n1, n2] = [`localhost:${p1}`, `localhost:${p2}`];
  const tap = new FederationTap(`http://127.0.0.1:${p2}`);
  await tap.listen();
  const first = await startServer({ serverName: n1, port: p1, peers: new Map([[n2, tap.url]]) });
  const second = await startServer({ serverName: n2, port: p2, peers: new Map([[n1, first.url]]), ...(bug === undefined ? {} : { bug }) });
  return { first, second, tap, close: async () => void (await Promise.all([first.close(), second.close(), tap.close()])) };
}

function result(report: CheckReport, id: string): PropertyResult {
  const r = report.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}: ${report.results.map((x) => x.id).join(", ")}`);
  return r;
}

describe("against Courier's own servers", () => {
  let fed: Awaited<ReturnType<typeof federation>>;
  let gateway: GatewayServer;
  beforeAll(async () => {
    fed = await federation();
    gateway = await startGateway();
  });
  afterAll(async () => {
    await fed.close();
    await gateway.close();
  });

  test("every suite passes, with no schema finding and no divergence from the reference", async () => {
    const targets = { homeserver: fed.first.url, secondHomeserver: fed.second.url, gateway: gateway.url, federationTap: fed.tap, compare: true, policyCases: true };
    // Push runs in real time (back-off waits seconds), so it keeps its own small run counts.
    const quick = await runCheck(options({ ...targets, suites: ["todevice", "federation", "gateway"], runs: 3 * DEEP }));
    const push = await runCheck(options({ ...targets, suites: ["push"] }));
    const results = [...quick.results, ...push.results];
    const summary = results.map((r) => `${r.id}: ${r.status} ${r.failure?.message ?? ""} ${JSON.stringify(r.findings)} ${JSON.stringify(r.divergence ?? null)}`);
    expect([...quick.skipped, ...push.skipped]).toEqual([]);
    expect(results.map((r) => r.id).sort()).toEqual(
      ["federation.model", "gateway.dedupe", "gateway.rejected", "gateway.validation", "push.notify-body", "push.rejected", "push.retry", "todevice.model"],
    );
    for (const r of results) {
      expect(r.status, summary.join("\n")).toBe("passed");
      expect(r.findings, r.id).toEqual([]);
      expect(r.divergence, r.id).toBeUndefined();
    }
    expect(quick.ok && push.ok).toBe(true);
  }, 120_000 * DEEP);
});

/** Each broken homeserver, the suite that must catch it, the property that fails, and how. */
const homeserverBugs: readonly { bug: Bug; property: string; violation: RegExp; syncLimit?: number }[] = [
  { bug: "no-txn-dedupe", property: "todevice.model", violation: /"duplicated":\[\{|to deeply equal/ },
  { bug: "ack-before-next-sync", property: "todevice.model", violation: /"lost":\[\{/ },
  { bug: "reorder-inbox", property: "todevice.model", violation: /"reordered":\[\{/ },
  { bug: "drop-past-limit", property: "todevice.model", violation: /"lost":\[\{/, syncLimit: 3 },
  { bug: "ignore-rejected", property: "push.rejected", violation: /after the gateway rejected it/ },
  { bug: "retry-without-backoff", property: "push.retry", violation: /back-off waits at least/ },
];

describe("against broken homeservers: each is caught, with a counterexample", () => {
  for (const c of homeserverBugs) {
    test(`${c.bug} fails ${c.property}`, async () => {
      const server = await startServer({ bug: c.bug, ...(c.syncLimit === undefined ? {} : { policies: { syncLimit: c.syncLimit } }) });
      try {
        const suite = c.property.startsWith("push") ? "push" : "todevice";
        const report = await runCheck(options({ homeserver: server.url, suites: [suite], syncLimit: c.syncLimit ?? 100, runs: suite === "push" ? 3 : 25, shrinkMs: 5_000 }));
        const r = result(report, c.property);
        expect(r.status).toBe("failed");
        expect(r.failure?.message).toMatch(c.violation);
        expect(r.failure?.trace).toMatch(/^ {2}1\. /);
        expect(r.failure?.trace).toContain("/_matrix/client/v3/");
        expect(report.ok).toBe(false);
      } finally {
        await server.close();
      }
    }, 90_000);
  }

  test("no-message-id-dedupe fails federation.model when the tap replays a transaction", async () => {
    const fed = await federation("no-message-id-dedupe");
    try {
      const report = await runCheck(options({ homeserver: fed.first.url, secondHomeserver: fed.second.url, suites: ["federation"], federationTap: fed.tap, runs: 20 }));
      const r = result(report, "federation.model");
      expect(r.status).toBe("failed");
      expect(r.failure?.message).toMatch(/"duplicated":\[\{/);
      expect(r.failure?.clauses).toEqual(expect.arrayContaining(["FED-16", "FED-18"]));
      expect(r.failure?.trace).toContain('{"kind":"replay"}');
    } finally {
      await fed.close();
    }
  }, 90_000);
});

describe("against broken gateways", () => {
  test("a gateway without event_id dedupe fails gateway.dedupe", async () => {
    const gateway = await startGateway(true);
    try {
      const report = await runCheck(options({ gateway: gateway.url }));
      expect(result(report, "gateway.dedupe").status).toBe("failed");
      expect(result(report, "gateway.dedupe").failure?.message).toMatch(/reached the provider 2 times/);
      expect(result(report, "gateway.validation").status).toBe("passed");
    } finally {
      await gateway.close();
    }
  }, 60_000);

  test("plain-text errors and a request failed for one device fail gateway.validation and gateway.rejected", async () => {
    const gateway = await startPlainTextGateway("org.courier.sandbox.apns");
    try {
      const report = await runCheck(options({ gateway: gateway.url }));
      expect(result(report, "gateway.validation").failure?.message).toMatch(/not a Matrix error object/);
      expect(result(report, "gateway.rejected").failure?.message).toMatch(/not 200/);
      expect(report.skipped.map((s) => s.reason).join()).toMatch(/gateway.dedupe not run/);
    } finally {
      await gateway.close();
    }
  }, 60_000);
});
