/**
 * A small flag parser for the subcommands: `--name value`, `--name=value`, repeatable flags,
 * booleans, and environment-variable fallbacks (`COURIER_<NAME>`), with errors that name the
 * flag. Each subcommand declares its flags once; `--help` text is built from the same table.
 */

export interface FlagSpec {
  readonly name: string;
  readonly help: string;
  readonly kind: "string" | "number" | "boolean" | "list";
  readonly default?: string | number | boolean;
  readonly placeholder?: string;
}

export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

function envName(flag: string): string {
  return `COURIER_${flag.toUpperCase().replaceAll("-", "_")}`;
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv = process.env): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.kind === "boolean") {
      out[name] = eq === -1 ? true : arg.slice(eq + 1) !== "false";
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not ${JSON.stringify(value)}`);
      out[name] = n;
    } else if (spec.kind === "list") {
      out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    } else out[name] = value;
  }
  for (const spec of specs) {
    if (out[spec.name] !== undefined) continue;
    const fromEnv = env[envName(spec.name)];
    if (fromEnv !== undefined) out[spec.name] = spec.kind === "number" ? Number(fromEnv) : spec.kind === "boolean" ? fromEnv !== "false" : spec.kind === "list" ? fromEnv.split(/\s+/).filter(Boolean) : fromEnv;
    else if (spec.default !== undefined) out[spec.name] = spec.default;
  }
  return out;
}

export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `--${s.name}${s.kind === "boolean" ? "" : ` ${s.placeholder ?? s.kind.toUpperCase()}`}`;
    const def = s.default !== undefined ? ` (default: ${String(s.default)})` : "";
    return [left, `${s.help}${def}; env ${envName(s.name)}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join("\n");
}

export function requireString(flags: ParsedFlags, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}
