// Checks the three ways the checker gets users: open registration makes fresh users with the
// device ids asked for; a token file's users are reused, so the to-device suite drains their
// inboxes first and still passes with leftovers waiting; shared-secret registration speaks
// Synapse's admin API (nonce, HMAC-SHA1 over nonce, user, password, "notadmin") and logs out
// the device that API made. Assumes loopback networking and Courier's homeserver as the target.
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openRegistration, sharedSecretRegistration, tokenFile } from "../../src/check/accounts.ts";
import { httpDriver } from "../../src/check/drivers/http.ts";
import { checkProperty } from "../../src/check/runner.ts";
import { toDeviceSuite } from "../../src/check/suites.ts";
import type { RunningHomeserver } from "../../src/homeserver-server/server.ts";
import { startServer } from "./broken-servers.ts";

let server: RunningHomeserver;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("open registration", () => {
  test("fresh users, one session per device id asked for", async () => {
    const driver = httpDriver(server.url);
    const accounts = await openRegistration().obtain(driver, 2, ["D0", "D1"]);
    expect(accounts).toHaveLength(2);
    expect(accounts[0]?.userId).not.toBe(accounts[1]?.userId);
    expect(accounts[0]?.sessions.map((s) => s.deviceId)).toEqual(["D0", "D1"]);
    expect(driver.serverName).toBe("localhost");
  });
});

describe("a token file", () => {
  test("its users are reused: leftovers are drained and the to-device property holds", async () => {
    const driver = httpDriver(server.url);
    const made = await openRegistration().obtain(driver, 2, ["D0", "D1"]);
    const entries = made.flatMap((a) => a.sessions.map((s) => ({ user_id: s.userId, access_token: s.accessToken, device_id: s.deviceId })));
    const file = join(mkdtempSync(join(tmpdir(), "courier-check-")), "tokens.json");
    writeFileSync(file, JSON.stringify(entries));
    const [first, second] = entries;
    if (first === undefined || second === undefined) throw new Error("no sessions");
    // Leftovers from "an earlier run": they must not count as messages of this one.
    await driver.sendToDevice({ userId: first.user_id, deviceId: first.device_id, accessToken: first.access_token }, "m.old", "old1", { [second.user_id]: { "*": { id: "m0" } } });
    const source = tokenFile(file);
    expect(source.reused).toBe(true);
    expect(source.manageDevices).toBe(false);
    const [property] = toDeviceSuite({ driver, accounts: source }, { syncLimit: 100, policyCases: false });
    if (property === undefined) throw new Error("no property");
    const result = await checkProperty(property, { runs: 4, seed: 11, shrinkMs: 5_000, compare: false });
    expect(result.failure?.message).toBeUndefined();
    expect(result.status).toBe("passed");
  }, 60_000);

  test("too few users is an error that says what is needed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "courier-check-")), "tokens.json");
    writeFileSync(file, JSON.stringify([{ user_id: "@a:x", access_token: "t", device_id: "D" }]));
    await expect(tokenFile(file).obtain(httpDriver(server.url), 2, ["D0", "D1"])).rejects.toThrow(/need 2 users with 2 devices/);
  });
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
  });
}

/** Synapse's shared-secret endpoint in front of Courier: checks the MAC, registers, proxies the rest. */
async function adminFront(secret: string, upstream: string): Promise<{ url: string; server: Server }> {
  const nonces = new Set<string>();
  const server = createServer((req, res) => {
    void readBody(req).then(async (text) => {
      if (req.url === "/_synapse/admin/v1/register" && req.method === "GET") {
        const nonce = `n${nonces.size}`;
        nonces.add(nonce);
        return void res.writeHead(200).end(JSON.stringify({ nonce }));
      }
      if (req.url === "/_synapse/admin/v1/register") {
        const b = JSON.parse(text) as { nonce: string; username: string; password: string; mac: string };
        const mac = createHmac("sha1", secret).update(`${b.nonce}\u0000${b.username}\u0000${b.password}\u0000notadmin`).digest("hex");
        if (!nonces.delete(b.nonce) || mac !== b.mac) return void res.writeHead(403).end(JSON.stringify({ errcode: "M_FORBIDDEN", error: "HMAC incorrect" }));
        const r = await fetch(`${upstream}/_matrix/client/v3/register`, { method: "POST", body: JSON.stringify({ username: b.username, password: b.password, auth: { type: "m.login.dummy" } }) });
        return void res.writeHead(r.status).end(await r.text());
      }
      const r = await fetch(upstream + (req.url ?? "/"), { method: req.method ?? "GET", headers: { authorization: String(req.headers.authorization ?? "") }, ...(text === "" ? {} : { body: text }) });
      res.writeHead(r.status).end(await r.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("shared-secret registration", () => {
  test("registers through the admin API, logs in the devices asked for, logs out the admin-made one", async () => {
    const front = await adminFront("s3cret", server.url);
    try {
      const driver = httpDriver(front.url);
      const [account] = await sharedSecretRegistration("s3cret").obtain(driver, 1, ["D0", "D1"]);
      expect(account?.sessions.map((s) => s.deviceId)).toEqual(["D0", "D1"]);
      const session = account?.sessions[0];
      if (session === undefined) throw new Error("no session");
      const devices = await fetch(`${server.url}/_matrix/client/v3/devices`, { headers: { authorization: `Bearer ${session.accessToken}` } });
      expect(((await devices.json()) as { devices: { device_id: string }[] }).devices.map((d) => d.device_id).sort()).toEqual(["D0", "D1"]);
      await expect(sharedSecretRegistration("wrong").obtain(driver, 1, ["D0"])).rejects.toThrow(/shared-secret registration failed: 403/);
    } finally {
      await new Promise<void>((resolve) => front.server.close(() => resolve()));
    }
  });
});
