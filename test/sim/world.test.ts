// Checks the simulator itself: a run is a pure function of its scenario (same history, same
// trace); a crashed homeserver rebuilt from its journal alone has exactly the state it had; a
// world where something acknowledged can never be delivered fails liveness (and exactly-once);
// the trace comes out numbered and in the report's sequence-diagram shape; text settings parse.
import { describe, expect, test } from "vitest";
import type { HomeserverConfig } from "../../src/engine/homeserver.ts";
import type { AccessToken, DeviceId, ServerName, TxnId } from "../../src/ids.ts";
import { explain, NO_FAULTS, parseFaults, parsePolicies, referenceHomeserver, type Scenario, simulate } from "../../src/sim/index.ts";
import { sequenceDiagram } from "../../src/report/sequence-diagram.ts";
import { HomeserverNode } from "../../src/sim/nodes.ts";
import { encodeState } from "../../src/store/state-codec.ts";

const busy: Scenario = {
  seed: 42,
  servers: 3,
  usersPerServer: 2,
  devicesPerUser: 2,
  faults: { ...NO_FAULTS, loss: 0.1, dup: 0.1, reorder: 0.2, gatewayError: 0.1 },
  schedule: [
    { at: 300, kind: "crash", server: 1, downMs: 700 },
    { at: 200, kind: "partition", a: 0, b: 2, durationMs: 900 },
    { at: 500, kind: "gatewayRestart", downMs: 300 },
  ],
  healAt: 2_000,
  actions: Array.from({ length: 30 }, (_, i) =>
    i % 3 === 2 ? { at: i * 40, kind: "roomMessage" as const, from: i % 12 } : { at: i * 40, kind: "send" as const, from: i % 12, to: [{ user: (i * 5) % 6, device: i % 4 === 0 ? ("*" as const) : i % 2 }] },
  ),
  push: { roomSize: 2, pushers: [{ device: 0, app: "fcm", key: "ok" }, { device: 2, app: "apns", key: "transient" }, { device: 4, app: "fcm", key: "invalid" }] },
  policies: {},
  fullSyncEvery: 3,
};

function fingerprint(s: Scenario): string {
  const { world } = simulate(s);
  const pushers = [...world.history.pushers.values()].map((p) => ({ log: p.log, delivered: p.delivered }));
  return JSON.stringify({ sends: world.history.sends, chains: [...world.history.chains], pushers, quiesced: world.quiescedAt, stats: world.stats });
}

describe("the simulated world", () => {
  test("a run is a pure function of its scenario", () => {
    const { world, verdict } = simulate(busy);
    expect(verdict.ok).toBe(true);
    expect(world.stats.crashes).toBe(1);
    expect(world.stats.gatewayRestarts).toBe(1);
    expect(fingerprint(busy)).toBe(fingerprint(busy));
    expect(explain(busy).text).toBe(explain(busy).text);
  });

  test("a homeserver rebuilt from its journal has the state it had before the crash", () => {
    const config: HomeserverConfig = { serverName: "hs1.test" as ServerName, epoch: "e1" };
    const node = new HomeserverNode(0, "hs1", config, referenceHomeserver);
    const token = (n: number) => `t${n}` as AccessToken;
    for (let u = 0; u < 3; u++) node.apply({ type: "register", username: `u${u}`, password: "pw", deviceId: "D0" as DeviceId, accessToken: token(u) }, u);
    for (let m = 0; m < 20; m++) {
      const body = { messages: { [`@u${m % 3}:hs1.test`]: { "*": { msg: `m${m}` } }, "@x:hs2.test": { D0: { msg: `r${m}` } } } };
      node.apply({ type: "sendToDevice", token: token(m % 3), eventType: "m.sim", txnId: `x${m}` as TxnId, body }, 10 + m);
      if (m % 4 === 0) node.apply({ type: "syncToDevice", token: token(m % 3), since: String(m) }, 10 + m);
    }
    const before = JSON.stringify(encodeState(node.engine.hs.state));
    node.crash();
    const resumed = node.restart();
    expect(JSON.stringify(encodeState(node.engine.hs.state))).toBe(before);
    expect(resumed.some((e) => e.kind === "federation.send")).toBe(true);
  });

  test("messages that can never be delivered fail exactly-once and liveness", () => {
    const silent = {
      homeserver: (config: HomeserverConfig) => {
        const inner = referenceHomeserver(config);
        const drop = <T extends { kind: string }>(effects: T[]) => effects.filter((e) => e.kind !== "federation.send");
        return { hs: inner.hs, apply: (c: Parameters<typeof inner.apply>[0], now: number) => {
          const applied = inner.apply(c, now);
          return { outcome: applied.outcome, effects: drop(applied.effects) };
        }, resume: () => drop(inner.resume()) };
      },
    };
    const s: Scenario = { ...busy, faults: NO_FAULTS, schedule: [], push: null };
    const { verdict, world } = simulate(s, { hooks: silent });
    const broken = verdict.guarantees.filter((g) => g.holds === false).map((g) => g.guarantee);
    expect(broken).toEqual(["exactly-once", "liveness"]);
    expect(world.quiescedAt).toBeNull();
  });

  test("the trace is numbered and exports as sequence-diagram steps", () => {
    const e = explain(busy);
    const lines = e.text.split("\n");
    expect(lines[0]).toMatch(/^\s*1 {2}t=0ms/);
    expect(lines.some((l) => /hs\d → hs\d\s+PUT \/send\//.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("CRASH"))).toBe(true);
    expect(e.sequence.actors).toEqual(expect.arrayContaining(["hs1", "hs2", "hs3", "gateway"]));
    expect(e.sequence.steps).toHaveLength(lines.length);
    expect(new Set(e.sequence.steps.map((s) => s.kind))).toEqual(new Set(["request", "response", "lost", "note", "crash"]));
    expect(sequenceDiagram(e.sequence, { id: "busy", title: "a busy run" })).toMatch(/^<svg[\s\S]*crash: down 700ms/);
  });

  test("fault and policy settings parse, and refuse what they do not know", () => {
    expect(parseFaults("loss=0.1,dup=0.05,gw5xx=0.2")).toEqual({ ...NO_FAULTS, loss: 0.1, dup: 0.05, gatewayError: 0.2 });
    expect(() => parseFaults("loss=2")).toThrow(/probability/);
    expect(() => parseFaults("jitter=0.1")).toThrow(/unknown fault/);
    expect(parsePolicies(["spoofedSender=log", "device-deletion=keep", "syncLimit=3"])).toEqual({
      deviceDeletion: "keep",
      syncLimit: 3,
      federation: { spoofedSender: "log" },
      push: {},
    });
    expect(() => parsePolicies(["syncLimit=0"])).toThrow(/syncLimit/);
    expect(() => parsePolicies(["nope=1"])).toThrow(/unknown policy/);
  });
});
