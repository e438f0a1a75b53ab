// Opens the built report in a real browser (Debian's headless Chromium, driven by playwright-core)
// from file:// and checks what a reader would hit: every diagram in the machines section renders
// with a non-zero size, every in-page link lands on an element, every relative link names an
// existing file, and no request leaves the machine; then saves DIR/screenshot.png (the top of
// the page) and DIR/screenshot-machines.png (the first diagram). Assumes
// /usr/bin/chromium (apt-get install chromium); fails, never skips, without it. With
// COURIER_REPORT_OUT set, the report is built there and kept (for CI artifacts and the README).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildResult, buildReport } from "../../src/report/build.ts";

const CHROMIUM = "/usr/bin/chromium";
const keep = process.env.COURIER_REPORT_OUT;

/** The little of the DOM the page check uses (the project compiles without the DOM library). */
interface PageElement {
  readonly textContent: string | null;
  /** The resolved URL, on anchors. */
  readonly href: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  querySelector(selector: string): PageElement | null;
}

interface PageDocument {
  querySelectorAll(selector: string): Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
}

interface PageFacts {
  readonly diagrams: { readonly label: string; readonly width: number; readonly height: number }[];
  readonly anchors: { readonly href: string; readonly found: boolean }[];
  readonly fileLinks: string[];
}

let report: BuildResult;
let browser: Browser | undefined;
let page: Page | undefined;
let facts: PageFacts | undefined;
const outside: string[] = [];

/** Runs in the page: sizes of the machine diagrams, in-page anchors and where file links lead. */
function readPage(): PageFacts {
  const document = (globalThis as unknown as { document: PageDocument }).document;
  const diagrams = [...document.querySelectorAll("#section-machines svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    return { label: svg.querySelector("title")?.textContent ?? "", width: box.width, height: box.height };
  });
  const links = [...document.querySelectorAll("a[href]")];
  const anchors = links
    .map((a) => a.getAttribute("href") ?? "")
    .filter((href) => href.startsWith("#"))
    .map((href) => ({ href, found: document.getElementById(decodeURIComponent(href.slice(1))) !== null }));
  const fileLinks = links.filter((a) => !(a.getAttribute("href") ?? "").startsWith("#")).map((a) => a.href);
  return { diagrams, anchors, fileLinks };
}

beforeAll(async () => {
  const out = keep === undefined || keep === "" ? mkdtempSync(join(tmpdir(), "courier-browser-")) : resolve(keep);
  mkdirSync(out, { recursive: true });
  report = await buildReport({ out, runs: 10, seed: 1 });
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (request) => {
    if (!request.url().startsWith("file:")) outside.push(request.url());
  });
  await page.goto(pathToFileURL(report.index).href);
  facts = await page.evaluate(readPage);
});

afterAll(async () => {
  await browser?.close();
  if (keep === undefined || keep === "") rmSync(report.dir, { recursive: true, force: true });
});

function opened(): { page: Page; facts: PageFacts } {
  if (page === undefined || facts === undefined) {
    throw new Error(`${CHROMIUM} not found: the browser test needs Debian's Chromium. Run: apt-get install chromium`);
  }
  return { page, facts };
}

describe("the report in Chromium", () => {
  it("renders every machine diagram with a non-zero size", () => {
    const { diagrams } = opened().facts;
    expect(diagrams.length).toBe(report.data.machines?.entries.length);
    expect(diagrams.length).toBeGreaterThanOrEqual(4);
    for (const diagram of diagrams) {
      expect(diagram.width, diagram.label).toBeGreaterThan(0);
      expect(diagram.height, diagram.label).toBeGreaterThan(0);
    }
  });

  it("lands every in-page link on an element", () => {
    const { anchors } = opened().facts;
    expect(anchors.length).toBeGreaterThan(10);
    expect(anchors.filter((a) => !a.found)).toEqual([]);
  });

  it("points every other link at a file that exists, and fetches nothing from outside", () => {
    const { fileLinks } = opened().facts;
    expect(fileLinks.length).toBeGreaterThan(50);
    const missing = fileLinks.filter((href) => {
      const url = new URL(href);
      url.hash = "";
      return url.protocol !== "file:" || !existsSync(fileURLToPath(url));
    });
    expect(missing).toEqual([]);
    expect(outside).toEqual([]);
  });

  it("saves screenshots of the top of the page and of the first diagram", async () => {
    const { page: view } = opened();
    const top = join(report.dir, "screenshot.png");
    await view.screenshot({ path: top });
    expect(statSync(top).size).toBeGreaterThan(10_000);
    await view.goto(`${pathToFileURL(report.index).href}#section-machines`);
    const machines = join(report.dir, "screenshot-machines.png");
    await view.screenshot({ path: machines });
    expect(statSync(machines).size).toBeGreaterThan(10_000);
  });
});
