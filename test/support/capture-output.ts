/**
 * Runs a `courier` subcommand in this process with stdout and stderr captured (and restored
 * afterwards, even when it throws): its exit code and what it wrote to each.
 */
import { vi } from "vitest";

export async function runCaptured(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
