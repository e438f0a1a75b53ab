/** The table of subcommands. Each later capability adds one line here. */
import { registerSubcommand } from "./main.ts";

registerSubcommand("generate", "Generate types and validators from Swagger 2.0 / OpenAPI 3 YAML", async () => {
  const m = await import("../../scripts/generate-command.ts");
  return m.generateCommand;
});
