import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { InputError } from "../../core/errors.ts";
import { Rng } from "../../numerics/rng.ts";
import { testBenchOptions } from "../_bench.ts";

const root = new URL("../../", import.meta.url).pathname;
const ARGS = [
  "--tasks",
  "regmix-pile/pile-cc",
  "--methods",
  "uniform,random-search",
  "--seeds",
  "3",
  "--workers",
  "2",
  // Only results.jsonl is compared: the reports are skipped (and so the flag is tested).
  "--no-report",
];

/** results.jsonl without the timings field of each line (the only field allowed to differ). */
async function canonical(dir: string): Promise<string> {
  const text = await Deno.readTextFile(`${dir}/results.jsonl`);
  return text.split("\n").filter(Boolean).map((l) => {
    const { timings: _, ...rest } = JSON.parse(l);
    return JSON.stringify(rest);
  }).join("\n");
}

function bench(out: string, extra: string[] = []) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "bench", ...ARGS, "--out", out, ...extra],
    cwd: root,
    stdout: "null",
    stderr: "null",
  });
}

Deno.test("crash safety: a bench killed (SIGKILL) at random moments and resumed equals an uninterrupted one", async () => {
  const clean = await Deno.makeTempDir();
  const killed = await Deno.makeTempDir();
  try {
    const t0 = performance.now();
    assertEquals((await bench(clean).output()).code, 0);
    // Kill moments are drawn as fractions (25-75%) of the uninterrupted run's time, so that the
    // first attempt dies mid-run on a fast or a loaded machine alike.
    const cleanMs = performance.now() - t0;
    const rng = new Rng(20261202);
    let kills = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const child = bench(killed, attempt === 0 ? [] : ["--resume"]).spawn();
      const ms = cleanMs * (0.25 + 0.5 * rng.next());
      const done = await Promise.race([
        child.status.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
      ]);
      if (done) break;
      child.kill("SIGKILL");
      await child.status;
      kills++;
    }
    assertEquals((await bench(killed, ["--resume"]).output()).code, 0);
    assert(kills > 0, "the bench finished before any kill");
    assertEquals(await canonical(killed), await canonical(clean));
    await Deno.stat(`${clean}/report.html`).then(
      () => assert(false, "--no-report wrote"),
      () => {},
    );
  } finally {
    await Deno.remove(clean, { recursive: true });
    await Deno.remove(killed, { recursive: true });
  }
});

// Same bytes (timings aside) whatever the worker count: tests/harness/scheduler_test.ts.

Deno.test("--resume refuses a folder written for another task version, saying what differs", async () => {
  const out = await Deno.makeTempDir();
  try {
    const o = testBenchOptions(out, { tasks: ["regmix-pile/pile-cc"], methods: ["uniform"] });
    await runBench(o);
    const meta = JSON.parse(await Deno.readTextFile(`${out}/run.json`));
    meta.tasks[0].version = 0;
    await Deno.writeTextFile(`${out}/run.json`, JSON.stringify(meta));
    await assertRejects(
      () => runBench({ ...o, resume: true, force: false }),
      InputError,
      `--resume: "${out}" was written by another configuration (regmix-pile/pile-cc version 0 → 2)`,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
