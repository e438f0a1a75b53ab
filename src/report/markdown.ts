/**
 * The report's Markdown twin: the same content as index.html, with the diagrams as SVG files
 * under `diagrams/` beside it, and explicit `<a id>` anchors so links work in any renderer.
 */
import { type ClauseSection, type FileCitations, markCounts } from "./clause-table.ts";
import { GUARANTEES, measuredSentence, type Outcome, outcomeSummary } from "./matrix.ts";
import {
  clauseAnchor,
  counterexampleAnchor,
  describeCommit,
  type MatrixSection,
  policyAnchor,
  type ReportData,
  repoHref,
  SECTION_TITLES,
  type Section,
  SYMBOLS,
  sectionAnchor,
} from "./report-data.ts";
import { policyText, type SeedDifference } from "./seed-differences.ts";

/** Text safe inside a table cell: no pipes, no line breaks, no stray HTML. */
export function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("<", "&lt;").replace(/\s*\n\s*/g, " ");
}

function mdLink(text: string, href: string): string {
  return `[${cell(text).replaceAll("[", "\\[").replaceAll("]", "\\]")}](${href.replaceAll(" ", "%20").replaceAll(")", "%29")})`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)];
}

function files(data: ReportData, list: readonly FileCitations[]): string {
  if (list.length === 0) return "—";
  return list.map((f) => mdLink(`${f.file}:${f.lines.join(",")}`, repoHref(data, f.file))).join("<br>");
}

function clausesMd(data: ReportData, section: ClauseSection): string[] {
  const marks = markCounts(section.rows).map(([mark, count]) => `${count} ${mark}`).join(" · ");
  const summary = section.coverage.summary.map((s) => [
    s.prefix,
    String(s.clauses),
    String(s.implemented),
    String(s.policy),
    String(s.notApplicable),
    `${s.implementedInSource}/${s.implemented}`,
    `${s.implementedInTests}/${s.implemented}`,
  ]);
  const unknown = section.coverage.unknown.map(
    (u) => `- \`${u.id}\` in ${u.citations.map((c) => mdLink(`${c.file}:${c.line}`, repoHref(data, c.file))).join(", ")}`,
  );
  const withMatrix = data.sections.includes("matrix");
  const rows = section.rows.map(({ clause, source, tests, mark }) => {
    const policy = clause.policy === undefined ? "" : `<br>policy ${withMatrix ? mdLink(clause.policy, `#${policyAnchor(clause.policy)}`) : cell(clause.policy)}`;
    const extra = [clause.differs === undefined ? "" : `<br>Differs: ${cell(clause.differs)}`, clause.note === undefined ? "" : `<br>Note: ${cell(clause.note)}`].join("");
    return [
      `<a id="${clauseAnchor(clause.id)}"></a>${clause.id}`,
      clause.level,
      `${clause.status}${policy}`,
      `${cell(clause.clause)}${extra}`,
      `${clause.source.doc}: ${cell(clause.source.where)}`,
      files(data, source),
      files(data, tests),
      mark,
    ];
  });
  return [
    `${section.catalogue.clauses.length} clauses and ${section.catalogue.policies.length} policies in ${mdLink("api/clauses.yaml", repoHref(data, "api/clauses.yaml"))}; ` +
      `${section.citations} citations in ${section.citingFiles} files. Coverage: ${marks}.`,
    "",
    ...table(["prefix", "clauses", "implemented", "policy", "n/a", "implemented, cited in source", "implemented, cited in tests"], summary),
    "",
    ...(unknown.length === 0 ? [] : ["Cited ids that the catalogue does not define:", "", ...unknown, ""]),
    ...table(["id", "level", "status", "clause (our paraphrase)", "source", "implementing files", "tests", "coverage"], rows),
  ];
}

function machinesMd(data: ReportData): string[] {
  const machines = data.machines;
  if (machines === undefined) return [];
  return [
    "Drawn from each machine's own definition at build time (elkjs layout). A black dot marks the initial state, a double " +
      "green border a final state; labels read `event [guard] / actions`; amber dashed edges and the clock mark timers; " +
      "dotted edges are eventless (`always`) transitions.",
    "",
    ...machines.failures.map((f) => `- Could not load ${mdLink(f.module, repoHref(data, f.module))}: ${cell(f.error)}`),
    ...machines.entries.flatMap((entry) => [
      `<a id="${entry.anchor}"></a>`,
      "",
      `### ${entry.diagram.id}`,
      "",
      `\`${entry.exportName}\` from ${mdLink(entry.module, repoHref(data, entry.module))}: ${entry.diagram.states} states, ${entry.diagram.transitions} transitions.`,
      "",
      `![State diagram of ${entry.diagram.id}](${entry.file})`,
      "",
    ]),
  ];
}

function outcomeMd(outcome: Outcome): string {
  const text = `${SYMBOLS[outcome.status]} ${outcome.setting}`;
  if (outcome.status === "fails" && outcome.result?.counterexample !== undefined) {
    return mdLink(text, `#${counterexampleAnchor(outcome)}`);
  }
  return cell(`${text} (${outcomeSummary(outcome)})`);
}

function matrixMd(data: ReportData, section: MatrixSection): string[] {
  const { matrix } = section;
  const rows = matrix.rows.map((row) => [
    `<a id="${policyAnchor(row.policy)}"></a>\`${row.policy}\`${row.catalogued === undefined ? " (not in api/clauses.yaml)" : `<br>default: ${cell(row.catalogued.default)}`}`,
    ...row.cells.map((c) => (c.length === 0 ? "not measured" : c.map(outcomeMd).join("<br>"))),
  ]);
  const examples = section.counterexamples.flatMap((cx) => [
    `<a id="${cx.anchor}"></a>`,
    "",
    `#### ${cx.outcome.policy} = ${cx.outcome.setting}: ${cx.outcome.guarantee} fails`,
    "",
    `${outcomeSummary(cx.outcome)}${cx.outcome.result?.note === undefined ? "" : ` — ${cx.outcome.result.note}`}`,
    "",
    `![Counterexample](${cx.file})`,
    "",
    ...cx.steps.map((step, i) => `${i + 1}. ${cell(step)}`),
    "",
  ]);
  return [
    `**${measuredSentence(matrix)}**`,
    "",
    "Each cell lists the settings measured: ✓ held over the bounded runs, ✗ failed (linked to its minimal counterexample), ! could not run.",
    "",
    ...table(["policy", ...GUARANTEES], rows),
    "",
    ...(section.modules.length === 0 ? ["No experiment modules found."] : ["Experiment modules:", "", ...section.modules.map((m) => `- ${mdLink(m, repoHref(data, m))}`)]),
    ...section.failures.map((f) => `- Could not load ${mdLink(f.module, repoHref(data, f.module))}: ${cell(f.error)}`),
    "",
    ...(examples.length === 0 ? [] : ["### Counterexamples", "", ...examples]),
  ];
}

function differencesMd(data: ReportData, differences: readonly SeedDifference[]): string[] {
  const withClauses = data.sections.includes("clauses");
  const rows = differences.map((d) => [
    cell(d.topic),
    cell(d.seed),
    cell(d.today),
    d.clauses.map((id) => (withClauses ? mdLink(id, `#${clauseAnchor(id)}`) : id)).join(", "),
    cell(policyText(d)),
    cell(d.courier ?? ""),
  ]);
  return table(["difference", "seed text", "today's spec", "clauses", "policy for the seed-era behaviour", "Courier"], rows);
}

function sectionMd(data: ReportData, section: Section): string[] {
  if (section === "clauses") return data.clauses === undefined ? [] : clausesMd(data, data.clauses);
  if (section === "machines") return machinesMd(data);
  if (section === "matrix") return data.matrix === undefined ? [] : matrixMd(data, data.matrix);
  return data.differences === undefined ? [] : differencesMd(data, data.differences);
}

export function renderMarkdown(data: ReportData): string {
  const lines = [
    "# Courier: what the spec implies",
    "",
    `Generated ${data.generatedAt} · commit ${describeCommit(data)} · Node ${data.node} · HTML version: [index.html](index.html)`,
    "",
    ...data.sections.map((section) => `- [${SECTION_TITLES[section]}](#${sectionAnchor(section)})`),
  ];
  for (const section of data.sections) {
    lines.push("", `<a id="${sectionAnchor(section)}"></a>`, "", `## ${SECTION_TITLES[section]}`, "", ...sectionMd(data, section));
  }
  return `${lines.join("\n")}\n`;
}
