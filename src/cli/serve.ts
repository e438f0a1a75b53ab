/** `courier serve homeserver|gateway`: one component per process. */
import type { Subcommand } from "./main.ts";

const HELP = `Usage: courier serve homeserver --server-name NAME --port P [--data-dir DIR] [--peer NAME=URL ...]
       courier serve gateway --port P [--config FILE] [--data-dir DIR]

Runs one Courier component in this process. Each has its own --help.`;

export const serveCommand: Subcommand = {
  name: "serve",
  summary: "Run one homeserver or push gateway (courier serve homeserver|gateway --help)",
  async run(argv) {
    const [what, ...rest] = argv;
    if (what === "homeserver") return (await import("./serve-homeserver.ts")).serveHomeserverCommand(rest);
    if (what === "gateway") return (await import("./serve-gateway.ts")).serveGatewayCommand(rest);
    const out = what === undefined || what === "--help" || what === "-h" ? process.stdout : process.stderr;
    out.write(`${what === undefined || what.startsWith("-") ? "" : `courier serve: unknown component ${JSON.stringify(what)}\n\n`}${HELP}\n`);
    return out === process.stdout ? 0 : 2;
  },
};
