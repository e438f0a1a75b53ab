// Checks `courier serve gateway` as a real child process: with --port 0 it prints the URL it
// listens on; killed with SIGKILL and restarted on the same data directory, every
// (event_id, pushkey) reaches its provider exactly once across both lives (GW-17), a token
// failure is still rejected (GW-10), a retry timer pending at the crash fires in the second life,
// and a webhook POST in flight at the crash is sent again (at-least-once, as documented); SIGTERM
// lets a request under way finish, then exits 0. Assumes `node bin/courier.mjs serve gateway`,
// with its log (stderr) going to a file so every line written before the kill is kept.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, test } from "vitest";
import { type Answer, APNS, call, eventBody, FCM, NOTIFY, type Reply, startReceiver, tempDir, until } from "./gateway-under-test.ts";

const COURIER = new URL("../../bin/courier.mjs", import.meta.url).pathname;
const HOOK = "org.test.webhook";

interface Child {
  readonly url: string;
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts `courier serve gateway --port 0 ...args`, logging to `logFile`; resolves once it listens. */
async function serveGateway(args: readonly string[], logFile: string): Promise<Child> {
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, [COURIER, "serve", "gateway", "--port", "0", ...args], { stdio: ["ignore", "pipe", log] });
  closeSync(log);
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; log: ${readFileSync(logFile, "utf8")}`)), 15_000);
    lines.on("line", (line) => {
      const m = /^gateway listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== "0") {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => reject(new Error(`exited before listening; log: ${readFileSync(logFile, "utf8")}`)));
  });
  return { url, process: child, exited };
}

function notify(child: Child, body: unknown): Promise<Answer> {
  return call(child.url + NOTIFY, { method: "POST", body: JSON.stringify(body) });
}

/** Sandbox-like apps plus a webhook to `hookUrl`, with a 1 s retry delay. */
function writeConfig(dir: string, hookUrl: string): string {
  const file = join(dir, "gateway.yaml");
  const lines = [
    "apps:",
    `  ${APNS}: { type: apns, transient_failures: 1 }`,
    `  ${FCM}: { type: fcm }`,
    `  ${HOOK}: { type: webhook, url: "${hookUrl}/hook" }`,
    "retry: { initial_delay_ms: 1000, max_delay_ms: 1000, max_attempts: 5, give_up_after_ms: 60000 }",
  ];
  writeFileSync(file, lines.join("\n"));
  return file;
}

/** The `provider.delivered` log lines, as "event_id pushkey". */
function deliveredIn(logFile: string): string[] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg: string; event_id?: string; pushkey?: string })
    .filter((line) => line.msg === "provider.delivered")
    .map((line) => `${line.event_id} ${line.pushkey}`);
}

describe("courier serve gateway as a process", () => {
  test("kill -9 and restart: each (event_id, pushkey) reaches its provider exactly once", async () => {
    const dir = tempDir("courier-gw-crash-");
    let heldOnce = false;
    const hook = await startReceiver((post): Reply => {
      if (post.body.notification.devices[0]?.pushkey !== "held" || heldOnce) return { status: 200, body: { rejected: [] } };
      heldOnce = true;
      return "hold";
    });
    const configFile = writeConfig(dir, hook.url);
    const args = ["--config", configFile, "--data-dir", join(dir, "data")];
    const bodies = [1, 2, 3, 4, 5].map((i) =>
      eventBody(`$e${i}`, [
        { app_id: APNS, pushkey: "a-1" },
        { app_id: FCM, pushkey: "f-1" },
        { app_id: HOOK, pushkey: "w-1" },
        { app_id: FCM, pushkey: "invalid-f" },
      ]),
    );
    const invalid = eventBody("$inv", [{ app_id: APNS, pushkey: "invalid-a" }]);
    const transient = eventBody("$t", [{ app_id: APNS, pushkey: "transient-t" }]);
    const held = eventBody("$h", [{ app_id: HOOK, pushkey: "held" }]);

    const firstLog = join(dir, "first.log");
    const first = await serveGateway(args, firstLog);
    const answers = await Promise.all(bodies.map((b) => notify(first, b)));
    for (const a of answers) expect(a).toMatchObject({ status: 200, body: { rejected: ["invalid-f"] } });
    expect((await notify(first, invalid)).body).toEqual({ rejected: [] });
    // The webhook's answers are journaled once they show as deliveries.
    await until(() => deliveredIn(firstLog).filter((d) => d.endsWith(" w-1")).length === 5, "the webhook deliveries");
    expect((await notify(first, transient)).body).toEqual({ rejected: [] });
    expect((await notify(first, held)).body).toEqual({ rejected: [] });
    await until(() => heldOnce, "the held POST to arrive");
    first.process.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

    const secondLog = join(dir, "second.log");
    const second = await serveGateway(args, secondLog);
    const again = await Promise.all(bodies.map((b) => notify(second, b)));
    expect(again.map((a) => a.body)).toEqual(answers.map((a) => a.body));
    expect((await notify(second, invalid)).body).toEqual({ rejected: [] });
    expect((await notify(second, eventBody("$inv2", [{ app_id: APNS, pushkey: "invalid-a" }]))).body).toEqual({ rejected: ["invalid-a"] });
    await until(() => deliveredIn(secondLog).length === 2, "the pending timer and POST to complete", 10_000);
    expect(deliveredIn(secondLog).sort()).toEqual(["$h held", "$t transient-t"]);

    const expected = [1, 2, 3, 4, 5].flatMap((i) => [`$e${i} a-1`, `$e${i} f-1`, `$e${i} w-1`]).concat(["$h held", "$t transient-t"]);
    expect([...deliveredIn(firstLog), ...deliveredIn(secondLog)].sort()).toEqual(expected.sort());
    // The webhook received each event once, except the POST in flight at the kill, sent again.
    expect(hook.pushkeys().sort()).toEqual(["held", "held", "w-1", "w-1", "w-1", "w-1", "w-1"]);
    expect(hook.received.filter((p) => p.body.notification.devices[0]?.pushkey === "w-1").map((p) => p.body.notification.event_id)).toEqual([
      "$e1",
      "$e2",
      "$e3",
      "$e4",
      "$e5",
    ]);

    second.process.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    await hook.close();
  });

  test("SIGTERM lets a request under way finish, then exits 0", async () => {
    const dir = tempDir("courier-gw-term-");
    const child = await serveGateway(["--data-dir", join(dir, "data")], join(dir, "gateway.log"));
    const { hostname, port } = new URL(child.url);
    const body = JSON.stringify(eventBody("$slow", [{ app_id: APNS, pushkey: "k1" }]));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ hostname, port, method: "POST", path: NOTIFY, headers: { "Content-Length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.write(body.slice(0, 10));
      // The rest arrives after the signal.
      setTimeout(() => {
        child.process.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 100);
    });
    expect(await answer).toEqual({ status: 200, text: '{"rejected":[]}' });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(dir, "gateway.log"), "utf8")).toContain('"msg":"stopped"');
  });
});
