/**
 * Opens generated reports in headless Chromium (Debian's `chromium`, driven by playwright-core —
 * never a downloaded browser) and checks that every figure draws what its data says (traces,
 * heatmaps, markers and bars counted in the DOM), that nothing is logged as an error, and that the
 * page makes no network request; and what a reader sees: the headline exists and names the leader,
 * the first screen (1400 × 900) holds the headline and the ranked figure, no two labels of a
 * critical-difference diagram overlap, and every method has its own colour. Screenshots (full
 * page, first screen, one task section) are kept under out/screenshots/. Skipped, saying so, only
 * when /usr/bin/chromium is absent (CI installs it).
 *
 * The browser runs in a child `deno run -A tests/reports/_browser.ts` (playwright-core probes
 * /proc at import, which Deno allows only with --allow-all), so the test needs --allow-run=deno.
 */

import { assert, assertEquals } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { testBenchOptions } from "../_bench.ts";
import { writeReports } from "../../reports/write.ts";
import type { BrowserResult } from "./_browser.ts";
import { writeFixture } from "./_fixture.ts";

const CHROMIUM = "/usr/bin/chromium";
const DRIVER = new URL("./_browser.ts", import.meta.url).pathname;
const ARTIFACTS = new URL("../../out/screenshots/", import.meta.url).pathname;

function present(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const available = present(CHROMIUM);
if (!available) {
  console.warn(
    `SKIPPED browser tests: ${CHROMIUM} is absent (install Debian's chromium: ` +
      `apt-get install -y chromium; .ci/run does)`,
  );
}

async function open(reports: readonly [string, string][]): Promise<BrowserResult[]> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const out = await new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      DRIVER,
      ...reports.flatMap(([html, shot]) => [html, `${ARTIFACTS}${shot}`]),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Browser driver failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

async function leaderOf(dir: string): Promise<string> {
  const board = JSON.parse(await Deno.readTextFile(`${dir}/leaderboard.json`));
  return board.tracks[0].overall[0].method;
}

function check(r: BrowserResult, minFigures: number, leader: string, methods: number): void {
  assertEquals(r.errors, [], "no console errors");
  assertEquals(r.requests, [], "no network requests");
  assert(r.headline !== null && r.headline.includes(leader), `headline names ${leader}`);
  assert(
    r.ranked !== null && r.ranked.top >= 0 && r.ranked.bottom <= 900,
    "ranked figure on screen 1",
  );
  assertEquals(r.rankedColors.length, methods, "one marker per method in the ranked figure");
  assertEquals(new Set(r.rankedColors).size, methods, `distinct colours: ${r.rankedColors}`);
  assert(r.cdLabels > 0, "the CD diagrams have labels");
  assertEquals(r.cdOverlaps, [], "no two CD labels overlap");
  assertEquals(r.figures.length, r.inData, "one plot element per figure");
  assert(r.figures.length >= minFigures, `${r.figures.length} figures`);
  for (const f of r.figures) {
    assertEquals(f.drawn, f.expected, `figure ${f.id}: [traces, heatmaps, points] drawn vs data`);
  }
}

Deno.test({
  name: "report.html renders every figure offline in Chromium (all panels; a real bench)",
  ignore: !available,
  async fn(t) {
    const fixture = await Deno.makeTempDir();
    await writeFixture(fixture);
    await writeReports(fixture);
    const bench = await Deno.makeTempDir();
    await runBench(testBenchOptions(bench, {
      seeds: 2,
      tasks: ["regmix-pile/pile-cc", "admire-ift/avg-7b", "regmix-pile/pile-cc-1b"],
      methods: ["uniform", "natural", "random-search", "best-of-pool"],
      reports: true,
    }));
    const [fx, real] = await open([
      [`${fixture}/report.html`, "report-fixture.png"],
      [`${bench}/report.html`, "report-bench.png"],
    ]);
    await t.step("fixture: every panel, counts drawn as in the data", async () => {
      check(fx!, 20, await leaderOf(fixture), 5);
      const kinds = [
        "anytime",
        "mixture",
        "cd",
        "winrate",
        "ecdf",
        "speedup",
        "predict",
        "transfer",
        "runner",
        "ranked",
      ];
      for (const kind of kinds) {
        assert(fx!.figures.some((f) => f.id.startsWith(`${kind}-`)), `a ${kind} figure is drawn`);
      }
      assert(fx!.figures.some((f) => f.id.startsWith("winrate") && f.drawn[1] === 1), "heatmap");
      for (
        const f of [
          "report-fixture.png",
          "report-fixture-first-screen.png",
          "report-fixture-task.png",
        ]
      ) {
        assert((await Deno.stat(`${ARTIFACTS}${f}`)).size > 10_000, `screenshot ${f} kept`);
      }
    });
    await t.step(
      "real bench: counts drawn as in the data",
      async () => check(real!, 10, await leaderOf(bench), 4),
    );
    await Deno.remove(fixture, { recursive: true });
    await Deno.remove(bench, { recursive: true });
  },
});
