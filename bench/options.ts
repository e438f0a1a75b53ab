/**
 * Command-line options shared by `bench/run.ts` and `bench/http.ts`:
 * `--quick`, `--only NAME[,NAME]` (repeatable), `--out DIR`, `--skip-http` (run.ts), `--help`.
 */
import { resolve } from "node:path";
import { type BenchName, DEFAULT_OUT_DIR, isBenchName } from "./suite.ts";

export interface BenchArgs {
  readonly quick: boolean;
  readonly only: readonly BenchName[] | null;
  readonly outDir: string;
  readonly skipHttp: boolean;
  readonly help: boolean;
}

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: readonly string[], allowed: readonly BenchName[]): BenchArgs {
  let quick = false;
  let skipHttp = false;
  let help = false;
  let outDir = DEFAULT_OUT_DIR;
  const only: BenchName[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new BenchUsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--skip-http") skipHttp = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--out") outDir = resolve(value());
    else if (arg === "--only") {
      for (const name of value().split(",")) {
        if (!isBenchName(name) || !allowed.includes(name)) throw new BenchUsageError(`unknown benchmark ${JSON.stringify(name)}; known: ${allowed.join(", ")}`);
        only.push(name);
      }
    } else throw new BenchUsageError(`unknown option ${JSON.stringify(arg)}`);
  }
  return { quick, only: only.length === 0 ? null : only, outDir, skipHttp, help };
}

export function usage(command: string, allowed: readonly BenchName[], extra: string): string {
  return `Usage: ${command} [--quick] [--only NAME[,NAME]] [--out DIR]${extra}

Benchmarks: ${allowed.join(", ")}
  --quick       small sizes and short runs (smoke test, CI); not figures to quote
  --only NAMES  run only these (comma-separated, repeatable)
  --out DIR     where the JSON and SVG go (default reports/bench/)
`;
}
