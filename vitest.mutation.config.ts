// The vitest configuration Stryker runs for `npm run mutation` (see docs/mutation.md): only the
// fast suites that exercise the pure engine, with every fast-check seed fixed so a mutant gets
// the same verdict on every run and test names (which carry the seed) stay stable between the
// dry run and the mutant runs.
import type { RunnerTestCase, RunnerTestFile } from "vitest";
import { defineConfig } from "vitest/config";
import type { Vitest } from "vitest/node";
import type { Reporter } from "vitest/reporters";

/**
 * Stryker's vitest runner (9.6.1, and 10.0.0) builds a mutant's verdict from the tests vitest
 * collected, so a mutant that makes a test file throw while it loads (a broken machine
 * definition, a module-level graph exploration) collects no test and is scored Survived
 * (stryker-js#6150). This reporter gives such a file one failed test carrying its load error,
 * so the mutant is scored Killed, as `npm test` would fail on it.
 */
function loadFailuresAsFailedTests(): Reporter {
  let vitest: Vitest | undefined;
  return {
    onInit(ctx) {
      vitest = ctx;
    },
    onTestRunEnd() {
      for (const file of vitest?.state.getFiles() ?? []) {
        if (file.result?.state !== "fail" || file.tasks.length > 0) continue;
        file.tasks.push(loadFailure(file, file.result.errors?.[0]?.message ?? "the test file failed to load"));
      }
    },
  };
}

/** A failed test carrying the load error: only the fields Stryker reads (vitest builds the rest, a context, for live tests). */
function loadFailure(file: RunnerTestFile, message: string): RunnerTestCase {
  const failed = {
    type: "test",
    id: `${file.id}_load`,
    name: "loads without error",
    mode: "run",
    file,
    suite: file,
    meta: {},
    annotations: [],
    artifacts: [],
    result: { state: "fail", errors: [{ name: "Error", message }] },
  };
  return failed as unknown as RunnerTestCase;
}

export default defineConfig({
  test: {
    include: ["test/engine/**/*.test.ts", "test/properties/**/*.test.ts", "test/checkers/**/*.test.ts", "test/graph/**/*.test.ts"],
    setupFiles: ["test/engine/mutation-setup.ts"],
    reporters: ["default", loadFailuresAsFailedTests()],
    env: {
      COURIER_MUTATION: "1",
      // run-config.ts (assertParams) and variants.test.ts read this seed; 42 is the latter's default.
      COURIER_SEED: "42",
    },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
