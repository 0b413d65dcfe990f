/**
 * Browser driver of browser_test.ts, run as its own process with `deno run -A` because
 * playwright-core probes /proc at import, which Deno allows only with --allow-all:
 *
 * ```
 * deno run -A tests/reports/_browser.ts REPORT.html SCREENSHOT.png [REPORT.html SCREENSHOT.png …]
 * ```
 *
 * Opens each report in its own page of one Debian headless Chromium (playwright-core,
 * executablePath /usr/bin/chromium, a fresh profile, a 1400 × 900 viewport), waits until every
 * figure is plotted, and prints one JSON array with, per report: per figure the counts its data
 * promises and the counts drawn in the DOM, the console errors, every request other than the
 * report file itself (each one aborted), what the first screen shows (headline text, where the
 * ranked figure sits), the bounding boxes of the critical-difference labels that intersect, and
 * the marker colours of the ranked figure. Beside each full-page screenshot it saves
 * `NAME-first-screen.png` (the 1400 × 900 viewport) and `NAME-task.png` (the first task section).
 *
 * @module
 */

import { chromium } from "playwright-core";

/** What one figure promised and drew: [traces, heatmaps, points]. */
export interface Rendered {
  readonly id: string;
  readonly expected: readonly [number, number, number];
  readonly drawn: readonly [number, number, number];
}

/** The driver's output. */
export interface BrowserResult {
  readonly figures: readonly Rendered[];
  /** Figures in the report's JSON data. */
  readonly inData: number;
  readonly errors: readonly string[];
  readonly requests: readonly string[];
  /** Text of the headline block, or null when absent. */
  readonly headline: string | null;
  /** Bounding box (top, bottom, in px) of the first ranked figure on the first screen, or null. */
  readonly ranked: { readonly top: number; readonly bottom: number } | null;
  /** Colour of each marker of the first ranked figure (stroke), one per method. */
  readonly rankedColors: readonly string[];
  /** CD-diagram labels checked, and the pairs (figure: text ↔ text) whose boxes intersect. */
  readonly cdLabels: number;
  readonly cdOverlaps: readonly string[];
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// Runs in the page (a string, so that this file needs no DOM typings). A bar counts when plotly
// drew it with a non-zero area; markers count as drawn points.
const COUNT = `[...document.querySelectorAll("div.plot")].map((el) => {
  const bars = [...el.querySelectorAll(".barlayer .point path")].filter((p) => {
    const b = p.getBBox();
    return b.width > 0 && b.height > 0;
  }).length;
  return {
    id: el.id,
    expected: [Number(el.dataset.traces), Number(el.dataset.heatmaps), Number(el.dataset.points)],
    drawn: [
      el.querySelectorAll(".scatterlayer .trace, .barlayer .trace").length,
      el.querySelectorAll(".heatmaplayer .hm").length,
      el.querySelectorAll(".scatterlayer .point").length + bars,
    ],
  };
})`;

// Runs in the page after plotting, scrolled to the top: what the first screen shows and whether
// any two CD labels (plotly text points of the cd-* figures) intersect.
const LOOK = `(() => {
  window.scrollTo(0, 0);
  const h = document.getElementById("headline");
  const rankedEl = document.querySelector('div.plot[id^="ranked-"]');
  const r = rankedEl ? rankedEl.getBoundingClientRect() : null;
  const colors = rankedEl
    ? [...rankedEl.querySelectorAll(".scatterlayer .point")].map((p) => p.style.stroke || p.style.fill)
    : [];
  let labels = 0;
  const overlaps = [];
  for (const fig of document.querySelectorAll('div.plot[id^="cd-"]')) {
    const boxes = [...fig.querySelectorAll(".scatterlayer .textpoint text")]
      .filter((t) => t.textContent !== "")
      .map((t) => ({ text: t.textContent, b: t.getBoundingClientRect() }));
    labels += boxes.length;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].b, c = boxes[j].b;
        if (a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom) {
          overlaps.push(fig.id + ": " + boxes[i].text + " <> " + boxes[j].text);
        }
      }
    }
  }
  return {
    headline: h ? h.textContent : null,
    ranked: r ? { top: r.top, bottom: r.bottom } : null,
    rankedColors: colors,
    cdLabels: labels,
    cdOverlaps: overlaps,
  };
})()`;

/**
 * Opens reports (in parallel pages of one browser) and measures them.
 *
 * @param reports Pairs of report.html path and the full-page PNG to write.
 * @returns What each page drew, logged and requested.
 */
export async function openReports(
  reports: readonly (readonly [string, string])[],
): Promise<BrowserResult[]> {
  const profile = await Deno.makeTempDir({ prefix: "mixbench-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  try {
    return await Promise.all(reports.map(async ([html, screenshot]) => {
      const page = await context.newPage();
      const url = `file://${Deno.realPathSync(html)}`;
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.route("**/*", (route) => {
        const u = route.request().url();
        if (u === url) return route.continue();
        requests.push(u);
        return route.abort();
      });
      await page.goto(url, { waitUntil: "commit", timeout: 180_000 });
      await page.waitForFunction(
        '!!document.body && document.body.dataset.rendered === "true"',
        undefined,
        {
          timeout: 180_000,
        },
      );
      const figures = await page.evaluate(COUNT) as Rendered[];
      const look = await page.evaluate(LOOK) as Pick<
        BrowserResult,
        "headline" | "ranked" | "rankedColors" | "cdLabels" | "cdOverlaps"
      >;
      const base = screenshot.replace(/\.png$/, "");
      await page.screenshot({ path: `${base}-first-screen.png` });
      const task = page.locator("section.task").first();
      if (await task.count() > 0) await task.screenshot({ path: `${base}-task.png` });
      const inData = await page.evaluate(
        `JSON.parse(document.getElementById("figures").textContent).length`,
      ) as number;
      await page.screenshot({ path: screenshot, fullPage: true });
      return { figures, inData, errors, requests, ...look };
    }));
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true });
  }
}

if (import.meta.main) {
  const args = Deno.args;
  if (args.length === 0 || args.length % 2 !== 0) {
    console.error("usage: deno run -A tests/reports/_browser.ts REPORT.html SCREENSHOT.png [...]");
    Deno.exit(2);
  }
  const pairs = Array.from(
    { length: args.length / 2 },
    (_, i) => [args[2 * i]!, args[2 * i + 1]!] as const,
  );
  console.log(JSON.stringify(await openReports(pairs)));
}
