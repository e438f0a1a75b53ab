/**
 * What one scenario run did, as a reader wants to see it in a counterexample: numbered steps
 * (one per scenario action), each with the HTTP exchanges it made and any notes, plus the
 * response-schema violations the HTTP driver found. Drivers record into the transcript they are
 * given; the runner keeps the transcript of the last failing run, which is the shrunk one.
 */

export interface Exchange {
  readonly method: string;
  /** Path and query, with access tokens left out. */
  readonly path: string;
  readonly request?: unknown;
  readonly status: number;
  readonly response: unknown;
  /** Milliseconds on the driver's clock when the request was made, and how long it took. */
  readonly at: number;
  readonly ms: number;
}

/** An answer that does not match the API description's schema for its operation and status. */
export interface SchemaFinding {
  readonly operationId: string;
  readonly status: number;
  readonly problem: string;
}

export interface Step {
  readonly label: string;
  readonly exchanges: Exchange[];
  readonly notes: string[];
}

export class Transcript {
  readonly steps: Step[] = [];
  readonly findings: SchemaFinding[] = [];

  /** Starts a new numbered step; exchanges and notes go to it until the next one. */
  step(label: string): void {
    this.steps.push({ label, exchanges: [], notes: [] });
  }

  private current(): Step {
    const last = this.steps[this.steps.length - 1];
    if (last !== undefined) return last;
    const setup: Step = { label: "setup", exchanges: [], notes: [] };
    this.steps.push(setup);
    return setup;
  }

  record(exchange: Exchange): void {
    this.current().exchanges.push(exchange);
  }

  note(text: string): void {
    this.current().notes.push(text);
  }

  finding(finding: SchemaFinding): void {
    this.findings.push(finding);
    this.note(`schema: ${finding.operationId} ${finding.status}: ${finding.problem}`);
  }
}

function cut(value: unknown, max: number): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A path with long query values shortened (a sync filter says nothing to a reader). */
function shortPath(path: string): string {
  return path.replace(/=([^&]{40})[^&]+/g, "=$1…");
}

function exchangeLines(x: Exchange, max: number): string[] {
  const request = x.request === undefined ? "" : ` ${cut(x.request, max)}`;
  return [`       ${x.method} ${shortPath(x.path)}${request}`, `         → ${x.status} ${cut(x.response, max)}  (${x.ms} ms)`];
}

/** The exchanges of a step, the middle left out when there are many (a flood of sends). */
function stepLines(step: Step, max: number): string[] {
  const xs = step.exchanges;
  if (xs.length <= 8) return xs.flatMap((x) => exchangeLines(x, max));
  const head = xs.slice(0, 3).flatMap((x) => exchangeLines(x, max));
  const tail = xs.slice(-2).flatMap((x) => exchangeLines(x, max));
  return [...head, `       … ${xs.length - 5} more exchanges like these …`, ...tail];
}

/** The transcript as a numbered trace, exchanges indented under their step. */
export function formatTranscript(transcript: Transcript, options: { readonly bodyChars?: number } = {}): string {
  const max = options.bodyChars ?? 200;
  const lines: string[] = [];
  transcript.steps.forEach((step, i) => {
    lines.push(`${String(i + 1).padStart(3)}. ${step.label}`);
    lines.push(...stepLines(step, max));
    for (const note of step.notes) lines.push(`       · ${note}`);
  });
  return lines.join("\n");
}
