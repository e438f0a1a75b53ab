/**
 * What the report finds in the tree: the XState machines (every exported machine of the modules
 * in MACHINE_MODULES) and the experiment modules (every `*.experiment.ts` under src/ or test/,
 * imported for the `registerExperiment` calls they make). A module that fails to load is
 * reported, not fatal: colleagues' modules may be mid-edit while the report is built.
 */
import { readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { AnyStateMachine } from "xstate";
import { isMachine } from "./machine-graph.ts";

/** Add a module here and each machine it exports appears in the report. */
export const MACHINE_MODULES: readonly string[] = [
  "src/engine/todevice/delivery.machine.ts",
  "src/engine/federation/destination.machine.ts",
  "src/engine/push/pusher.machine.ts",
  "src/gateway/delivery.machine.ts",
];

export const EXPERIMENT_SUFFIX = ".experiment.ts";
const EXPERIMENT_DIRS = ["src", "test"];

export interface FoundMachine {
  /** Repository-relative module path. */
  readonly module: string;
  readonly exportName: string;
  readonly machine: AnyStateMachine;
}

export interface LoadFailure {
  readonly module: string;
  readonly error: string;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

async function importModule(root: string, module: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(join(root, module)).href)) as Record<string, unknown>;
}

/** Every machine exported by `modules`, in list then export order; one machine exported twice counts once. */
export async function loadMachines(
  root: string,
  modules: readonly string[] = MACHINE_MODULES,
): Promise<{ machines: FoundMachine[]; failures: LoadFailure[] }> {
  const machines: FoundMachine[] = [];
  const failures: LoadFailure[] = [];
  for (const module of modules) {
    try {
      const exports = await importModule(root, module);
      for (const exportName of Object.keys(exports).sort()) {
        const value = exports[exportName];
        if (isMachine(value) && !machines.some((found) => found.machine === value)) {
          machines.push({ module, exportName, machine: value });
        }
      }
    } catch (error) {
      failures.push({ module, error: describeError(error) });
    }
  }
  return { machines, failures };
}

function filesUnder(root: string, dir: string, suffix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir)).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".")) return [];
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return filesUnder(root, path, suffix);
    return name.endsWith(suffix) ? [path.split(sep).join("/")] : [];
  });
}

/** Repository-relative paths of every experiment module, sorted. */
export function experimentModules(root: string): string[] {
  return EXPERIMENT_DIRS.flatMap((dir) => filesUnder(root, dir, EXPERIMENT_SUFFIX));
}

/** Imports every experiment module; their `registerExperiment` calls fill the registry. */
export async function loadExperimentModules(root: string): Promise<{ loaded: string[]; failures: LoadFailure[] }> {
  const loaded: string[] = [];
  const failures: LoadFailure[] = [];
  for (const module of experimentModules(root)) {
    try {
      await importModule(root, module);
      loaded.push(module);
    } catch (error) {
      failures.push({ module, error: describeError(error) });
    }
  }
  return { loaded, failures };
}
