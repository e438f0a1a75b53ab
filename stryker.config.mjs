// Mutation testing of the pure engine (issue 9): `npm run mutation`. How to read the results and
// the list of equivalent mutants: docs/mutation.md.
// @ts-check

// Where the reports and the incremental file go; a run restricted to a few files (with --mutate)
// may set COURIER_MUTATION_OUT to keep its results apart from the whole run's.
const out = process.env.COURIER_MUTATION_OUT ?? "reports/mutation";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: ["src/engine/**/*.ts"],
  coverageAnalysis: "perTest",
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  incremental: true,
  incrementalFile: `${out}/stryker-incremental.json`,
  // Two cores, shared with the rest of the machine's work.
  concurrency: 2,
  // A loaded machine slows the property suites down; a mutant is a timeout only well past that.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 20,
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["data", "docs", "bench", "reports", "reports-tmp", "coverage", ".courier", ".stryker-tmp*"],
  // The measured score (see docs/mutation.md): `npm run mutation` fails below `break`.
  thresholds: { high: 95, low: 85, break: 85 },
};

export default config;
