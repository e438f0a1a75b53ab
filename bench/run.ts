/**
 * `npm run bench`: every benchmark — engine throughput, sync cost against inbox size, memory per
 * pending message, simulator and property speed, and the HTTP figures of `bench/http.ts` —
 * printed as a table with ratios and verdicts, written as JSON and SVG to `reports/bench/`.
 * A full run (no `--quick`, `--only` or `--skip-http`) also refreshes `bench/figures.svg`.
 */
import { BenchUsageError, parseBenchArgs, usage } from "./options.ts";
import { ALL_BENCHES, HTTP_BENCHES, runSuite } from "./suite.ts";

const argv = process.argv.slice(2);
try {
  const args = parseBenchArgs(argv, ALL_BENCHES);
  if (args.help) {
    process.stdout.write(usage("npm run bench --", ALL_BENCHES, " [--skip-http]\n  --skip-http   leave out the HTTP benchmarks (http-send, http-wake, notify)"));
  } else {
    const http: readonly string[] = HTTP_BENCHES;
    const names = (args.only ?? ALL_BENCHES).filter((name) => !(args.skipHttp && http.includes(name)));
    const report = await runSuite({
      quick: args.quick,
      names,
      outDir: args.outDir,
      prefix: "bench",
      publish: !args.quick && args.only === null && !args.skipHttp,
      argv,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.exitCode = report.failed.length === 0 ? 0 : 1;
  }
} catch (e) {
  if (!(e instanceof BenchUsageError)) throw e;
  process.stderr.write(`bench: ${e.message}\n${usage("npm run bench --", ALL_BENCHES, " [--skip-http]")}`);
  process.exitCode = 2;
}
