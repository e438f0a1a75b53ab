/** The table of subcommands. Each capability adds one line here. */
import { registerSubcommand } from "./main.ts";

registerSubcommand("demo", "Run the demo federation: two homeservers and a push gateway on loopback", async () => (await import("./demo.ts")).demoCommand);
registerSubcommand("serve", "Run one homeserver or push gateway (courier serve homeserver|gateway --help)", async () => (await import("./serve.ts")).serveCommand);
registerSubcommand("report", "Write the report for spec authors (HTML and Markdown) into a directory", async () => (await import("./report-command.ts")).reportCommand);
registerSubcommand("generate", "Generate types and validators from Swagger 2.0 / OpenAPI 3 YAML", async () => (await import("../../scripts/generate-command.ts")).generateCommand);
registerSubcommand("simulate", "Simulate a federation with push over a faulty network and check every delivery guarantee", async () => (await import("./simulate-command.ts")).simulateCommand);
registerSubcommand("check", "Check a homeserver and/or push gateway over HTTP against the reference's properties", async () => (await import("./check-command.ts")).checkCommand);
