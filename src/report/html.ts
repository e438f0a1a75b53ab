/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched,
 * so it works from file:// and as a CI artifact. Links to repository files are relative.
 */
import { type ClauseRow, type ClauseSection, type FileCitations, markCounts } from "./clause-table.ts";
import { GUARANTEES, measuredSentence, type Outcome, outcomeSummary } from "./matrix.ts";
import {
  clauseAnchor,
  counterexampleAnchor,
  describeCommit,
  type MachineEntry,
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
import { escapeXml as esc } from "./svg.ts";

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1f2328;
  margin: 0 auto; max-width: 1280px; padding: 0 24px 64px; }
header { border-bottom: 1px solid #d0d7de; margin-bottom: 16px; }
h1 { font-size: 28px; margin: 24px 0 4px; } h2 { margin-top: 40px; border-bottom: 1px solid #d0d7de; }
.meta, .small { color: #57606a; font-size: 13px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; position: sticky; top: 0; }
tr:target { background: #fff8c5; }
nav#toc { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 16px; }
figure.diagram { margin: 8px 0 24px; overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; }
figure.diagram svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #57606a; font-size: 13px; margin-top: 4px; }
.mark-covered { color: #1a7f37; } .mark-no-test, .mark-no-source { color: #9a6700; } .mark-uncited { color: #cf222e; }
.holds { color: #1a7f37; } .fails { color: #cf222e; font-weight: bold; } .error { color: #9a6700; }
.not-measured { color: #8c959f; font-style: italic; }
td.files a { display: block; overflow-wrap: anywhere; margin-bottom: 2px; }
table.clauses { table-layout: fixed; } table.clauses td { overflow-wrap: anywhere; }
table.clauses th:nth-child(1) { width: 5.5em; } table.clauses th:nth-child(2) { width: 4.5em; }
table.clauses th:nth-child(3) { width: 7em; } table.clauses th:nth-child(5) { width: 14%; }
table.clauses th:nth-child(6), table.clauses th:nth-child(7) { width: 16%; } table.clauses th:nth-child(8) { width: 5.5em; }
th .small { font-weight: normal; }
td.id { white-space: nowrap; }
`;

/** Escaped text in which `backticks` become code, as the catalogue writes them. */
function prose(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function link(href: string, text: string): string {
  return `<a href="${esc(href)}">${esc(text)}</a>`;
}

/** A path that may wrap after each slash, so narrow columns break it where a reader expects. */
function pathLink(href: string, text: string): string {
  return `<a href="${esc(href)}">${esc(text).replaceAll("/", "/<wbr>")}</a>`;
}

function files(data: ReportData, list: readonly FileCitations[]): string {
  if (list.length === 0) return "—";
  return list.map((f) => pathLink(repoHref(data, f.file), `${f.file}:${f.lines.join(",")}`)).join("");
}

function clauseRow(data: ReportData, row: ClauseRow): string {
  const { clause } = row;
  const policy =
    clause.policy === undefined
      ? ""
      : `<br><span class="small">policy ${data.sections.includes("matrix") ? link(`#${policyAnchor(clause.policy)}`, clause.policy) : esc(clause.policy)}</span>`;
  const extra = [
    clause.differs === undefined ? "" : `<br><span class="small">Differs: ${prose(clause.differs)}</span>`,
    clause.note === undefined ? "" : `<br><span class="small">Note: ${prose(clause.note)}</span>`,
  ].join("");
  return [
    `<tr id="${clauseAnchor(clause.id)}">`,
    `<td class="mono id">${esc(clause.id)}</td><td>${clause.level}</td><td>${clause.status}${policy}</td>`,
    `<td>${prose(clause.clause)}${extra}</td>`,
    `<td class="small">${esc(clause.source.doc)}<br>${esc(clause.source.where)}</td>`,
    `<td class="files mono">${files(data, row.source)}</td><td class="files mono">${files(data, row.tests)}</td>`,
    `<td class="mark-${row.mark.replace(" ", "-")}">${row.mark}</td></tr>`,
  ].join("");
}

function clausesHtml(data: ReportData, section: ClauseSection): string {
  const summary = section.coverage.summary.map(
    (s) =>
      `<tr><td>${s.prefix}</td><td>${s.clauses}</td><td>${s.implemented}</td><td>${s.policy}</td><td>${s.notApplicable}</td>` +
      `<td>${s.implementedInSource}/${s.implemented}</td><td>${s.implementedInTests}/${s.implemented}</td></tr>`,
  );
  const marks = markCounts(section.rows).map(([mark, count]) => `${count} ${mark}`).join(" · ");
  const unknown = section.coverage.unknown.map(
    (u) => `<li><code>${esc(u.id)}</code> in ${u.citations.map((c) => link(repoHref(data, c.file), `${c.file}:${c.line}`)).join(", ")}</li>`,
  );
  return [
    `<p>${section.catalogue.clauses.length} clauses and ${section.catalogue.policies.length} policies in ${link(repoHref(data, "api/clauses.yaml"), "api/clauses.yaml")}; ` +
      `${section.citations} citations in ${section.citingFiles} files. Coverage: ${marks}.</p>`,
    `<table><thead><tr><th>prefix</th><th>clauses</th><th>implemented</th><th>policy</th><th>n/a</th><th>implemented, cited in source</th><th>implemented, cited in tests</th></tr></thead>`,
    `<tbody>${summary.join("")}</tbody></table>`,
    unknown.length === 0 ? "" : `<p>Cited ids that the catalogue does not define:</p><ul>${unknown.join("")}</ul>`,
    `<table class="clauses"><thead><tr><th>id</th><th>level</th><th>status</th><th>clause (our paraphrase)</th><th>source</th>` +
      `<th>implementing files</th><th>tests</th><th>coverage</th></tr></thead>`,
    `<tbody>${section.rows.map((row) => clauseRow(data, row)).join("\n")}</tbody></table>`,
  ].join("\n");
}

function machineHtml(data: ReportData, entry: MachineEntry): string {
  const { diagram } = entry;
  return [
    `<h3 id="${entry.anchor}">${esc(diagram.id)}</h3>`,
    `<figure class="diagram">${diagram.svg}`,
    `<figcaption><code>${esc(entry.exportName)}</code> from ${link(repoHref(data, entry.module), entry.module)}: ` +
      `${diagram.states} states, ${diagram.transitions} transitions.</figcaption></figure>`,
  ].join("\n");
}

function machinesHtml(data: ReportData): string {
  const machines = data.machines;
  if (machines === undefined) return "";
  const failures = machines.failures.map((f) => `<li>${link(repoHref(data, f.module), f.module)}: ${esc(f.error)}</li>`);
  return [
    `<p>Drawn from each machine's own definition at build time (elkjs layout). Boxes are states; a black dot marks the initial ` +
      `state; a double green border marks a final state; labels read <code>event [guard] / actions</code>; ` +
      `amber dashed edges and the clock mark timers (delayed events); dotted edges are eventless (<code>always</code>) transitions.</p>`,
    failures.length === 0 ? "" : `<p>Modules that could not be loaded:</p><ul>${failures.join("")}</ul>`,
    ...machines.entries.map((entry) => machineHtml(data, entry)),
  ].join("\n");
}

function outcomeHtml(outcome: Outcome): string {
  const text = `${SYMBOLS[outcome.status]} ${outcome.setting}`;
  const title = esc(`${outcomeSummary(outcome)}${outcome.result?.note === undefined ? "" : `; ${outcome.result.note}`}`);
  if (outcome.status === "fails" && outcome.result?.counterexample !== undefined) {
    return `<a class="fails" title="${title}" href="#${counterexampleAnchor(outcome)}">${esc(text)}</a>`;
  }
  return `<span class="${outcome.status}" title="${title}">${esc(text)}</span>`;
}

function matrixHtml(data: ReportData, section: MatrixSection): string {
  const { matrix } = section;
  const head = `<tr><th>policy (default)</th>${GUARANTEES.map((g) => `<th>${g}</th>`).join("")}</tr>`;
  const rows = matrix.rows.map((row) => {
    const about = row.catalogued === undefined ? "not in api/clauses.yaml" : `${row.catalogued.question} Default: ${row.catalogued.default}.`;
    const cells = row.cells.map((cell) =>
      cell.length === 0 ? `<td class="not-measured">not measured</td>` : `<td>${cell.map(outcomeHtml).join("<br>")}</td>`,
    );
    return `<tr id="${policyAnchor(row.policy)}"><th><code>${esc(row.policy)}</code><br><span class="small">${prose(about)}</span></th>${cells.join("")}</tr>`;
  });
  const modules = section.modules.map((m) => `<li>${link(repoHref(data, m), m)}</li>`);
  const failures = section.failures.map((f) => `<li>${link(repoHref(data, f.module), f.module)}: ${esc(f.error)}</li>`);
  const examples = section.counterexamples.map(
    (cx) =>
      `<h4 id="${cx.anchor}">${esc(`${cx.outcome.policy} = ${cx.outcome.setting}: ${cx.outcome.guarantee} fails`)}</h4>` +
      `<p class="small">${esc(outcomeSummary(cx.outcome))}${cx.outcome.result?.note === undefined ? "" : ` — ${esc(cx.outcome.result.note)}`}</p>` +
      `<figure class="diagram">${cx.svg}</figure>`,
  );
  return [
    `<p><strong>${esc(measuredSentence(matrix))}</strong></p>`,
    `<p class="small">Each cell lists the settings measured: ✓ the guarantee held over the bounded runs, ✗ it failed ` +
      `(the link shows the minimal counterexample), ! the experiment could not run. Experiments come from ` +
      `<code>*.experiment.ts</code> modules calling <code>registerExperiment</code> (src/report/matrix.ts).</p>`,
    `<table class="matrix"><thead>${head}</thead><tbody>${rows.join("\n")}</tbody></table>`,
    modules.length === 0 ? "<p>No experiment modules found.</p>" : `<p>Experiment modules:</p><ul>${modules.join("")}</ul>`,
    failures.length === 0 ? "" : `<p>Experiment modules that could not be loaded:</p><ul>${failures.join("")}</ul>`,
    examples.length === 0 ? "" : `<h3>Counterexamples</h3>${examples.join("\n")}`,
  ].join("\n");
}

function differencesHtml(data: ReportData, differences: readonly SeedDifference[]): string {
  const withClauses = data.sections.includes("clauses");
  const clauseLinks = (ids: readonly string[]): string =>
    ids.map((id) => (withClauses ? link(`#${clauseAnchor(id)}`, id) : esc(id))).join(", ");
  const rows = differences.map(
    (d) =>
      `<tr><td>${prose(d.topic)}</td><td>${prose(d.seed)}</td><td>${prose(d.today)}</td><td class="mono">${clauseLinks(d.clauses)}</td>` +
      `<td>${prose(policyText(d))}</td><td>${prose(d.courier ?? "")}</td></tr>`,
  );
  const named = differences.filter((d) => d.origin === "named").length;
  return [
    `<p>The first ${named} rows are the differences the project names; the other ${differences.length - named} come from the ` +
      `<code>differs:</code> fields of the catalogue. The policy column says which setting gives back the seed-era behaviour.</p>`,
    `<table><thead><tr><th>difference</th><th>seed text</th><th>today's spec</th><th>clauses</th><th>policy for the seed-era behaviour</th><th>Courier</th></tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody></table>`,
  ].join("\n");
}

function sectionBody(data: ReportData, section: Section): string {
  if (section === "clauses") return data.clauses === undefined ? "" : clausesHtml(data, data.clauses);
  if (section === "machines") return machinesHtml(data);
  if (section === "matrix") return data.matrix === undefined ? "" : matrixHtml(data, data.matrix);
  return data.differences === undefined ? "" : differencesHtml(data, data.differences);
}

function tocHtml(data: ReportData): string {
  const items = data.sections.map((section) => {
    const machines = section === "machines" ? (data.machines?.entries ?? []) : [];
    const sub = machines.map((entry) => `<li>${link(`#${entry.anchor}`, entry.diagram.id)}</li>`);
    return `<li>${link(`#${sectionAnchor(section)}`, SECTION_TITLES[section])}${sub.length === 0 ? "" : `<ol>${sub.join("")}</ol>`}</li>`;
  });
  return `<nav id="toc"><strong>Contents</strong><ol>${items.join("")}</ol></nav>`;
}

export function renderHtml(data: ReportData): string {
  const sections = data.sections.map(
    (section) => `<section id="${sectionAnchor(section)}"><h2>${SECTION_TITLES[section]}</h2>\n${sectionBody(data, section)}\n</section>`,
  );
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>Courier report: what the spec implies</title><style>${STYLE}</style></head><body>`,
    `<header><h1>Courier: what the spec implies</h1>`,
    `<p class="meta">Generated ${esc(data.generatedAt)} · commit ${esc(describeCommit(data))} · Node ${esc(data.node)} · ` +
      `Markdown twin: ${link("report.md", "report.md")}</p></header>`,
    tocHtml(data),
    `<main>${sections.join("\n")}</main>`,
    "</body></html>",
  ].join("\n");
}
