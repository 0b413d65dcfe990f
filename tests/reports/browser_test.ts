/**
 * Opens generated reports in headless Chromium (Debian's `chromium`, driven by playwright-core —
 * never a downloaded browser) and checks that every figure draws what its data says (traces,
 * heatmaps, markers and bars counted in the DOM), that nothing is logged as an error, and that the
 * page makes no network request. A full-page screenshot of each report is kept under
 * out/test-artifacts/. Skipped, saying so, only when /usr/bin/chromium is absent (CI installs it).
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
const ARTIFACTS = new URL("../../out/test-artifacts/", import.meta.url).pathname;

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

function check(r: BrowserResult, minFigures: number): void {
  assertEquals(r.errors, [], "no console errors");
  assertEquals(r.requests, [], "no network requests");
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
    }));
    const [fx, real] = await open([
      [`${fixture}/report.html`, "report-fixture.png"],
      [`${bench}/report.html`, "report-bench.png"],
    ]);
    await t.step("fixture: every panel, counts drawn as in the data", async () => {
      check(fx!, 20);
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
      ];
      for (const kind of kinds) {
        assert(fx!.figures.some((f) => f.id.startsWith(`${kind}-`)), `a ${kind} figure is drawn`);
      }
      assert(fx!.figures.some((f) => f.id.startsWith("winrate") && f.drawn[1] === 1), "heatmap");
      assert((await Deno.stat(`${ARTIFACTS}report-fixture.png`)).size > 10_000, "screenshot kept");
    });
    await t.step("real bench: counts drawn as in the data", () => check(real!, 10));
    await Deno.remove(fixture, { recursive: true });
    await Deno.remove(bench, { recursive: true });
  },
});
