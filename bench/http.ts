/**
 * `npm run bench:http`: the HTTP figures alone — `PUT /sendToDevice` requests/s in memory and
 * durable against bare node:http, `/sync` wake-up latency, homeserver → gateway notifications/s
 * against a bare POST — with the machine beside them, written to `reports/bench/http-*.{json,svg}`.
 * About 5–10 s of load per figure; the servers and the load generator share the same cores.
 */
import { BenchUsageError, parseBenchArgs, usage } from "./options.ts";
import { HTTP_BENCHES, runSuite } from "./suite.ts";

const argv = process.argv.slice(2);
try {
  const args = parseBenchArgs(argv, HTTP_BENCHES);
  if (args.help) {
    process.stdout.write(usage("npm run bench:http --", HTTP_BENCHES, ""));
  } else {
    const report = await runSuite({
      quick: args.quick,
      names: args.only ?? HTTP_BENCHES,
      outDir: args.outDir,
      prefix: "http",
      publish: false,
      argv,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.exitCode = report.failed.length === 0 ? 0 : 1;
  }
} catch (e) {
  if (!(e instanceof BenchUsageError)) throw e;
  process.stderr.write(`bench:http: ${e.message}\n${usage("npm run bench:http --", HTTP_BENCHES, "")}`);
  process.exitCode = 2;
}
