/**
 * Setup for the mutation run only (vitest.mutation.config.ts): fixes fast-check's default seed so
 * a property explores the same cases for every mutant, and so `test.prop` titles, which include
 * the seed, match between Stryker's dry run and its per-test mutant runs.
 */
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.COURIER_SEED ?? 42) });
