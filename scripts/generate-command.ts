/** `courier generate`: the model generator as a subcommand (same options as npm run generate). */
import type { Subcommand } from "../src/cli/main.ts";
import { run } from "./generate.ts";

export const generateCommand: Subcommand = {
  name: "generate",
  summary: "Generate types and validators from Swagger 2.0 / OpenAPI 3 YAML",
  run,
};
