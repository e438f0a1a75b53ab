/**
 * Structured logs: one JSON object per line on stderr. Lines are gathered for the current turn of
 * the event loop and written together at its end (and at exit), so a busy server makes one write
 * per turn instead of one per request: stderr to a file or pipe is written synchronously, and a
 * write per request cost about a tenth of the homeserver's CPU under load. A process killed with
 * SIGKILL loses only the lines of the turn it was killed in.
 */

type Write = (text: string) => void;

const buffers = new Map<Write, string[]>();
let exitHook = false;

function flush(write: Write): void {
  const lines = buffers.get(write);
  if (lines === undefined || lines.length === 0) return;
  buffers.delete(write);
  write(lines.join(""));
}

/** Append `text` to what `write` gets at the end of this turn. */
export function writeAtEndOfTurn(write: Write, text: string): void {
  let lines = buffers.get(write);
  if (lines === undefined) {
    lines = [];
    buffers.set(write, lines);
    setImmediate(() => flush(write));
    if (!exitHook) {
      exitHook = true;
      process.once("exit", () => {
        for (const w of [...buffers.keys()]) flush(w);
      });
    }
  }
  lines.push(text);
}

const toStderr: Write = (text) => {
  process.stderr.write(text);
};

/** A logger writing `{ t, component, ...line }` to stderr. */
export function jsonLog(component: string, write: Write = toStderr): (line: Record<string, unknown>) => void {
  return (line) => writeAtEndOfTurn(write, `${JSON.stringify({ t: new Date().toISOString(), component, ...line })}\n`);
}
