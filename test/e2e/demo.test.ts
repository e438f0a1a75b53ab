// `courier demo` (what `npm start` runs) as a user meets it: the three components print their
// URLs on the fixed demo ports, a to-device message crosses from localhost:8008 to
// localhost:8009, a room message with a pusher on the demo gateway reaches its sandbox provider,
// and SIGTERM stops everything with exit 0 (TD-24, FED-1, PUSH-2, GW-12). Assumes ports 8008,
// 8009 and 5000 on 127.0.0.1 are free; if one is taken, the test is skipped and says why.
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, describe, expect, test } from "vitest";
import { must, register } from "../support/http-client.ts";
import { tempDir, until } from "../support/http-servers.ts";
import { SyncChain } from "../support/http-sync.ts";

const COURIER = new URL("../../bin/courier.mjs", import.meta.url).pathname;
const PORTS = [8008, 8009, 5000];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const free = (await Promise.all(PORTS.map(portFree))).every(Boolean);
if (!free) console.log(`demo test skipped: one of the ports ${PORTS.join(", ")} is in use`);

let demo: ChildProcess | null = null;
const dataDir = tempDir("courier-demo-");

afterAll(() => {
  if (demo !== null && demo.exitCode === null) demo.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `courier demo` on a fresh data directory; collects what it prints. */
function startDemo(): { printed: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [COURIER, "demo", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "ignore"] });
  demo = child;
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    printed += chunk.toString("utf8");
  });
  return { printed: () => printed, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}

describe.skipIf(!free)("courier demo", () => {
  test("starts the demo federation, carries a to-device message and a push, and stops on SIGTERM", async () => {
    const { printed, exited } = startDemo();
    await until(() => ["8008", "8009", "5000"].every((p) => printed().includes(`http://127.0.0.1:${p}`)), "the three listening lines", 30_000);
    expect(printed()).toMatch(/homeserver localhost:8008 listening on http:\/\/127\.0\.0\.1:8008/);
    expect(printed()).toMatch(/gateway listening on http:\/\/127\.0\.0\.1:5000/);
    const alice = await register("http://127.0.0.1:8008", "alice");
    const bob = await register("http://127.0.0.1:8009", "bob");
    const chain = new SyncChain(bob);
    await chain.start();
    must(await alice.sendToDevice("org.example.hello", "demo-1", { [bob.userId]: { [bob.deviceId]: { hello: "bob" } } }));
    expect(await chain.nextUntil((e) => e.type === "org.example.hello", 10_000)).toEqual({ sender: alice.userId, type: "org.example.hello", content: { hello: "bob" } });

    const carol = await register("http://127.0.0.1:8008", "carol");
    const roomId = must(await alice.createRoom({ invite: [carol.userId] })).room_id;
    must(await carol.join(roomId));
    const url = "http://127.0.0.1:5000/_matrix/push/v1/notify";
    must(await alice.setPusher({ kind: "http", app_id: "org.courier.sandbox.apns", pushkey: "demo-key", app_display_name: "demo", device_display_name: "d", lang: "en", data: { url } }));
    const eventId = must(await carol.send(roomId, "m.room.message", "demo-m1", { msgtype: "m.text", body: "hi" })).event_id;
    const delivered = async () => {
      const body = (await (await fetch("http://127.0.0.1:5000/_courier/deliveries?pushkey=demo-key")).json()) as { deliveries: { event_id?: string }[] };
      return body.deliveries.map((d) => d.event_id);
    };
    await until(async () => (await delivered()).includes(eventId), "the push delivery", 10_000);
    expect(await delivered()).toEqual([eventId]);

    demo?.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
