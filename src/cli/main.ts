/**
 * `courier`: one entry point, one subcommand per capability. Each subcommand lives in its own
 * module and is loaded only when asked for, so `courier --help` stays fast.
 */

export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

type Loader = () => Promise<Subcommand>;

const subcommands: Record<string, { summary: string; load: Loader }> = {};

export function registerSubcommand(name: string, summary: string, load: Loader): void {
  subcommands[name] = { summary, load };
}

function usage(): string {
  const names = Object.keys(subcommands).sort();
  const width = Math.max(8, ...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${subcommands[n]?.summary ?? ""}`);
  return [
    "courier — a reference implementation of Matrix send-to-device messaging and push",
    "",
    "Usage: courier <command> [options]",
    "       courier <command> --help",
    "",
    "Commands:",
    ...(lines.length > 0 ? lines : ["  (none yet)"]),
    "",
    "See README.md for the layout, the test suites and the figures.",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  await import("./commands.ts");
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const entry = subcommands[name];
  if (entry === undefined) {
    process.stderr.write(`courier: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}
