/** The any-language bridge (bench/bridge/): reference methods, every failure mode, reaping. */

import { assert, assertEquals } from "../_assert.ts";
import { match as assertMatch } from "node:assert/strict";
import { runBench } from "../../bench/bench.ts";
import { readResults, type ResultLine } from "../../core/results.ts";
import { readPredictLines } from "../../core/predict.ts";
import { parseCommandSpec } from "../../bench/bridge/adapter.ts";
import { testBenchOptions } from "../_bench.ts";
import { deriveSeed, Rng } from "../../numerics/rng.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const TASK = "regmix-pile/pile-cc";

async function python(code: string): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command("python3", { args: ["-c", code], cwd: ROOT, stderr: "null" })
      .output();
    return { ok: r.success, out: new TextDecoder().decode(r.stdout) };
  } catch {
    return { ok: false, out: "" };
  }
}

const hasPython = (await python("print(1)")).ok;
if (hasPython) {
  // Put the interpreter's own folder first on PATH (the cells inherit it): behind a version
  // manager (pyenv), `python3` is a shell-script shim that starts several processes on every call.
  const dir = (await python("import os, sys; print(os.path.dirname(sys.executable))"))
    .out.trim();
  if (dir !== "") Deno.env.set("PATH", `${dir}:${Deno.env.get("PATH") ?? ""}`);
}
const hasNumpy = hasPython && (await python("import numpy")).ok;
if (!hasPython) console.warn("bridge_test: python3 is not installed; bridge tests skipped");
else if (!hasNumpy) console.warn("bridge_test: numpy is not installed; the regmix port is skipped");

Deno.test("parseCommandSpec() splits words, honours quotes and namespaces the id", () => {
  const c = parseCommandSpec(`cmd:python3 -u "my dir/method.py" 'a b'`);
  assertEquals(c.program, "python3");
  assertEquals(c.args, ["-u", "my dir/method.py", "a b"]);
  assertEquals(c.id, "cmd:method.py");
  assertEquals(parseCommandSpec("cmd:./solver").id, "cmd:solver");
});

Deno.test({
  name: "The Python generator draws exactly numerics/rng.ts's stream (seed, fork, shuffle)",
  ignore: !hasPython,
  async fn() {
    const seed = deriveSeed("regmix-pile/pile-cc@1", 7);
    const r = new Rng(seed);
    const want = [r.nextUint32(), r.next(), r.int(1000), r.fork("swarm").next()];
    const items = new Rng(seed).shuffle(Array.from({ length: 20 }, (_, i) => i));
    const code = [
      "import sys; sys.dont_write_bytecode = True; sys.path.insert(0, 'examples/python')",
      "from mixbench_bridge import Rng, derive_seed",
      "import json",
      `s = derive_seed("regmix-pile/pile-cc@1", 7)`,
      "r = Rng(s)",
      "a = [r.next_uint32(), r.next(), r.int(1000), r.fork('swarm').next()]",
      "print(json.dumps([s, a, Rng(s).shuffle(list(range(20)))]))",
    ].join("\n");
    const { ok, out } = await python(code);
    assert(ok, "python3 ran");
    assertEquals(JSON.parse(out), [seed, want, items]);
  },
});

Deno.test({
  name: "Bridged Python methods run through the bench; the regmix-linear port matches TypeScript",
  ignore: !hasPython,
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const methods = [
        "regmix-linear",
        "cmd:python3 examples/python/random_method.py",
        ...(hasNumpy ? ["cmd:python3 examples/python/regmix_linear.py"] : []),
      ];
      const s = await runBench(
        testBenchOptions(out, { tasks: [TASK, "regmix-pile/predict-pile-cc"], methods, seeds: 1 }),
      );
      assertEquals(s.failed, 0);
      const lines = await readResults(`${out}/results.jsonl`);
      const by = (m: string) => lines.find((l) => l.method === m)!;
      const random = by("cmd:random_method.py");
      assertEquals(random.status, "ok");
      assert(random.trajectory.length > 0 && random.checkpoints.length > 0);
      if (!hasNumpy) return;
      const ts = by("regmix-linear"), py = by("cmd:regmix_linear.py");
      assertEquals(py.trajectory, ts.trajectory);
      const strip = (l: ResultLine) => l.checkpoints.map(({ predicted: _, ...c }) => c);
      assertEquals(strip(py), strip(ts));
      for (const [i, c] of ts.checkpoints.entries()) {
        const p = py.checkpoints[i]!.predicted;
        if (c.predicted === undefined) assertEquals(p, undefined);
        // numpy's lstsq (LAPACK) and numerics/linalg/lstsq.ts agree to rounding.
        else assert(Math.abs(p! - c.predicted) < 1e-9, `predicted ${p} vs ${c.predicted}`);
      }
      // The Predict track over the bridge (fit/predict): the same predictions, to rounding.
      const predict = await readPredictLines(`${out}/predict.jsonl`);
      assertEquals(predict.map((l) => l.method).sort(), ["cmd:regmix_linear.py", "regmix-linear"]);
      const [a, b] = ["regmix-linear", "cmd:regmix_linear.py"].map((m) =>
        predict.find((l) => l.method === m)!
      );
      assertEquals(b!.status, "ok");
      assertEquals(b!.sets.map((x) => x.name), a!.sets.map((x) => x.name));
      for (const [i, set] of a!.sets.entries()) {
        const other = b!.sets[i]!;
        assertEquals(other.truth, set.truth);
        for (const [j, v] of set.predicted.entries()) {
          assert(Math.abs(other.predicted[j]! - v) < 1e-9, `${set.name}[${j}]`);
        }
        assert(Math.abs(other.spearman - set.spearman) < 1e-9, set.name);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

/** Living processes (not zombies) whose command line contains `marker`. */
async function processesWith(marker: string): Promise<string[]> {
  const r = await new Deno.Command("ps", { args: ["-eo", "pid,stat,args"] }).output();
  return new TextDecoder().decode(r.stdout).split("\n")
    .filter((l) => l.includes(marker) && !/^\s*\d+\s+Z/.test(l) && !l.includes(" ps -eo"));
}

Deno.test({
  name: "A bridged program that crashes, hangs, writes garbage, errs, exits early or answers a " +
    "wrong-length mixture fails its cell with the reason and leaves no process behind",
  ignore: !hasPython,
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir();
    const dir = "tests/testdata/bridge";
    const faults = ["crash", "hang", "garbage", "error", "exit_early", "wrong_length"];
    try {
      const s = await runBench(testBenchOptions(out, {
        tasks: [TASK],
        methods: faults.map((f) => `cmd:python3 ${dir}/${f}.py`),
        seeds: 1,
        // The hanging program is failed at the cell's time limit: short, so the test is.
        timeLimitMs: 6_000,
      }));
      assertEquals(s.failed, faults.length);
      const lines = await readResults(`${out}/results.jsonl`);
      const error = (f: string) => lines.find((l) => l.method === `cmd:${f}.py`)!.error!;
      assertEquals(error("crash").name, "BridgeExitError");
      assertMatch(error("crash").message, /exited \(code 1\) before answering "ask".*deliberate/);
      assertEquals(error("hang").name, "BridgeTimeoutError");
      assertMatch(error("hang").message, /did not answer "ask" within the cell's time limit/);
      assertEquals(error("garbage").name, "BridgeProtocolError");
      assertMatch(error("garbage").message, /not JSON: "this is not json"/);
      assertEquals(error("error").name, "BridgeMethodError");
      assertMatch(error("error").message, /no proposals for you/);
      assertEquals(error("exit_early").name, "BridgeExitError");
      assertMatch(error("exit_early").message, /exited \(code 3\) before answering "init"/);
      assertEquals(error("wrong_length").name, "InvalidMixtureError");
      // The hanging program's grandchild (sleep 297.531) and every program are gone.
      await new Promise((r) => setTimeout(r, 500));
      assertEquals(await processesWith(dir), []);
      assertEquals(await processesWith("sleep 297.531"), []);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
