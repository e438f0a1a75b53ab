/**
 * The checker's report for a terminal: a summary table (one row per property), then for each
 * failure the shrunk counterexample as a numbered trace of HTTP exchanges with the command that
 * replays it, the response-schema findings, the first divergence from the reference, and the
 * target's observations next to the reference's. The JSON form (`--json FILE`) is the report
 * object itself.
 */
import type { CheckReport } from "./check.ts";
import type { PropertyResult } from "./runner.ts";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => pad(cell, widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}

function verdict(r: PropertyResult): string {
  if (r.status === "failed") return "FAILED";
  return r.findings.length > 0 ? "passed (schema findings)" : "passed";
}

export function summaryTable(report: CheckReport): string {
  const rows = [["property", "result", "runs", "time", "clauses"]];
  for (const r of report.results) rows.push([r.id, verdict(r), String(r.runs), `${(r.ms / 1000).toFixed(1)} s`, r.clauses.join(" ")]);
  return table(rows);
}

function replayHint(r: PropertyResult, argv: readonly string[]): string {
  const kept = argv.filter((a, i) => !a.startsWith("--seed") && !a.startsWith("--path") && !a.startsWith("--suite") && argv[i - 1] !== "--seed" && argv[i - 1] !== "--suite");
  return `courier check ${[...kept, `--suite ${r.suite}`, `--seed ${r.seed}`].join(" ")}`;
}

function failureSection(r: PropertyResult, argv: readonly string[]): string {
  const f = r.failure;
  if (f === undefined) return "";
  const lines = [
    `✗ ${r.id}: ${r.title}`,
    `  broke: ${f.clauses.length > 0 ? f.clauses.join(", ") : "(see message)"}`,
    `  ${f.message}`,
    `  shrunk in ${f.shrinks} step(s)${f.shrinkingCut ? " (shrinking stopped at its time limit; a smaller example may exist)" : ""}; seed ${r.seed}${r.path === undefined ? "" : `, path ${r.path}`}`,
    `  replay: ${replayHint(r, argv)}`,
    "",
    "  counterexample, step by step:",
    f.trace
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  ];
  return lines.join("\n");
}

function findingsSection(report: CheckReport): string {
  const rows = report.results.flatMap((r) => r.findings.map((f) => [r.id, f.operationId, String(f.status), f.problem]));
  if (rows.length === 0) return "";
  return `Answers that do not match the API description (api/):\n${table([["property", "operation", "status", "problem"], ...rows])}`;
}

function comparisonSection(report: CheckReport): string {
  const parts: string[] = [];
  for (const r of report.results) {
    if (r.divergence !== undefined) {
      const d = r.divergence;
      parts.push(`${r.id}: first divergence in run ${d.run}, observation ${d.index}\n    target:    ${d.target}\n    reference: ${d.reference}`);
    }
    if (r.suite === "push" && r.observed !== undefined && r.referenceObserved !== undefined) {
      const rows = [["observed", "target", "reference"]];
      const n = Math.max(r.observed.length, r.referenceObserved.length);
      for (let i = 0; i < n; i++) rows.push([r.observed[i]?.step ?? r.referenceObserved[i]?.step ?? "", r.observed[i]?.seen ?? "-", r.referenceObserved[i]?.seen ?? "-"]);
      parts.push(`${r.id}, last run side by side:\n${table(rows)}`);
    }
  }
  return parts.length === 0 ? "" : `Compared with the reference:\n${parts.join("\n\n")}`;
}

export function formatReport(report: CheckReport, argv: readonly string[] = []): string {
  const failed = report.results.filter((r) => r.status === "failed");
  const sections = [
    summaryTable(report),
    ...report.skipped.map((s) => `(${s.suite}: ${s.reason})`),
    ...failed.map((r) => failureSection(r, argv)),
    findingsSection(report),
    comparisonSection(report),
    `${report.ok ? "All properties hold" : `${failed.length} of ${report.results.length} properties failed${report.results.some((r) => r.findings.length > 0) ? ", with schema findings" : ""}`}; seed ${report.seed}; ${(report.ms / 1000).toFixed(1)} s.`,
  ];
  return sections.filter((s) => s !== "").join("\n\n");
}

/** One progress line: `[#####.....] 12/30 todevice.model (shrinking)`. */
export function progressLine(id: string, done: number, total: number, phase: "run" | "shrink"): string {
  const width = 20;
  const filled = phase === "shrink" ? width : Math.min(width, Math.round((done / Math.max(1, total)) * width));
  const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`;
  return phase === "shrink" ? `[${bar}] ${id}: shrinking (try ${done})` : `[${bar}] ${done}/${total} ${id}`;
}
