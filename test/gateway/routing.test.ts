// Checks app-id routing (GW-21): an exact key wins over globs, one matching glob routes, two
// matching globs or none reject that device's pushkey; assumes Sygnal-like glob syntax (`*`, `?`).
import { describe, expect, it } from "vitest";
import { compileRoutes, globToRegExp, routeAppId } from "../../src/gateway/routing.ts";
import { configFrom, eventBody, Harness } from "./harness.ts";

const config = configFrom({
  apps: {
    "com.example.apns": { type: "apns" },
    "*.example.*": { type: "fcm" },
    "com.example.a*": { type: "fcm" },
    "org.s?mple": { type: "apns" },
  },
});
const table = compileRoutes(config.apps);

describe("routeAppId", () => {
  it("prefers the exact key even when globs match too", () => {
    const r = routeAppId(table, "com.example.apns");
    expect(r).toMatchObject({ ok: true, route: { appKey: "com.example.apns" } });
  });

  it("routes by the single matching glob", () => {
    expect(routeAppId(table, "com.example.bpns")).toMatchObject({ ok: true, route: { appKey: "*.example.*" } });
    expect(routeAppId(table, "org.sample")).toMatchObject({ ok: true, route: { appKey: "org.s?mple" } });
  });

  it("rejects an app id two globs match as ambiguous", () => {
    expect(routeAppId(table, "com.example.apns2")).toEqual({
      ok: false,
      reason: "ambiguous app id",
      candidates: ["*.example.*", "com.example.a*"],
    });
  });

  it("rejects an app id nothing matches as unknown", () => {
    expect(routeAppId(table, "net.other")).toMatchObject({ ok: false, reason: "unknown app id" });
    // `?` is exactly one character, and globs are anchored at both ends.
    expect(routeAppId(table, "org.smple").ok).toBe(false);
    expect(routeAppId(table, "xorg.sample").ok).toBe(false);
  });

  it("treats regular-expression characters in keys literally", () => {
    expect(globToRegExp("a.b+(c)").test("a.b+(c)")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});

describe("routing through notify", () => {
  it("rejects only the unroutable devices and delivers to the others", () => {
    const h = new Harness(config);
    const rejected = h.rejected(
      eventBody("$e1", [
        { app_id: "com.example.apns2", pushkey: "ambiguous" },
        { app_id: "net.other", pushkey: "unknown" },
        { app_id: "com.example.apns", pushkey: "exact" },
        { app_id: "com.example.bpns", pushkey: "glob" },
      ]),
    );
    expect(rejected).toEqual(["ambiguous", "unknown"]);
    expect(h.delivered().map((d) => [d.pushkey, d.provider])).toEqual([
      ["exact", "apns"],
      ["glob", "fcm"],
    ]);
    expect(h.logs("ambiguous-app").map((l) => l.pushkey)).toEqual(["ambiguous"]);
    expect(h.logs("unknown-app").map((l) => l.pushkey)).toEqual(["unknown"]);
  });
});
