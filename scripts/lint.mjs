// Runs Biome's linter from its platform binary. The registry this project installs from lacks
// some of Biome's platform packages, which breaks `npm ci` for the `@biomejs/biome` wrapper, so
// the Linux x64 binary is a direct dev dependency; other platforms install their own
// `@biomejs/cli-<platform>` by hand.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const pkg = `@biomejs/cli-${process.platform}-${process.arch}`;
let bin;
try {
  bin = join(dirname(require.resolve(`${pkg}/package.json`)), process.platform === "win32" ? "biome.exe" : "biome");
} catch {
  bin = null;
}
if (bin === null || !existsSync(bin)) {
  console.error(`lint: ${pkg} is not installed (npm install --no-save ${pkg}@2.6.8)`);
  process.exit(2);
}
const r = spawnSync(bin, ["lint", ".", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
