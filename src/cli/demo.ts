/**
 * `courier demo` (what `npm start` runs): the demo federation on loopback — homeserver
 * `localhost:8008` on 127.0.0.1:8008, homeserver `localhost:8009` on 127.0.0.1:8009, each
 * knowing the other, and a push gateway on 127.0.0.1:5000 — as three child processes, with data
 * in ./data and each component's log in ./data/<component>.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Subcommand } from "./main.ts";

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/courier.mjs");

interface Component {
  readonly name: string;
  readonly args: readonly string[];
}

function components(data: string): Component[] {
  const hs = (port: number, peer: number): Component => ({
    name: `localhost_${port}`,
    args: ["serve", "homeserver", "--server-name", `localhost:${port}`, "--port", String(port), "--data-dir", join(data, `localhost_${port}`), "--peer", `localhost:${peer}=http://127.0.0.1:${peer}`],
  });
  return [hs(8008, 8009), hs(8009, 8008), { name: "gateway", args: ["serve", "gateway", "--port", "5000", "--data-dir", join(data, "gateway")] }];
}

const HELP = `Usage: courier demo [--data-dir DIR]

Starts the demo federation on loopback (what npm start runs):
  homeserver localhost:8008  http://127.0.0.1:8008
  homeserver localhost:8009  http://127.0.0.1:8009
  push gateway               http://127.0.0.1:5000  (sandbox apps org.courier.sandbox.apns / .fcm)
Registration is open. Data and logs go to DIR (default ./data). Ctrl-C stops everything.`;

export const demoCommand: Subcommand = {
  name: "demo",
  summary: "Run the demo federation: two homeservers and a push gateway on loopback",
  async run(argv) {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const i = argv.indexOf("--data-dir");
    const data = resolve(i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : "data");
    mkdirSync(data, { recursive: true });
    const children: ChildProcess[] = [];
    let stopping = false;
    const stop = () => {
      stopping = true;
      for (const c of children) c.kill("SIGTERM");
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const exits = components(data).map(
      (component) =>
        new Promise<number>((done) => {
          const child = spawn(process.execPath, [BIN, ...component.args], { stdio: ["ignore", "pipe", "pipe"] });
          children.push(child);
          child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk));
          child.stderr?.pipe(createWriteStream(join(data, `${component.name}.log`), { flags: "a" }));
          child.on("exit", (code) => {
            if (!stopping) {
              process.stderr.write(`courier demo: ${component.name} exited (${code}); see ${join(data, `${component.name}.log`)}\n`);
              stop();
            }
            done(code ?? 1);
          });
        }),
    );
    process.stdout.write(`courier demo: data and logs in ${data}; Ctrl-C stops everything\n`);
    const codes = await Promise.all(exits);
    return stopping && codes.every((c) => c === 0 || c === null) ? 0 : Math.max(0, ...codes) || 1;
  },
};
