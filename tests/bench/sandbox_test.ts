import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { MAX_ERROR_CHARS, runBench } from "../../bench/bench.ts";
import { InputError } from "../../core/errors.ts";
import { readResults, type ResultLine } from "../../core/results.ts";
import { testBenchOptions } from "../_bench.ts";

const H = "tests/testdata/hostile.ts";

/** Runs a bench on RegMix Pile-CC, seed 0, and returns its lines by method id. */
async function bench(methods: string[], memoryMiB = 4096) {
  const out = await Deno.makeTempDir();
  try {
    await runBench(
      testBenchOptions(out, {
        tasks: ["regmix-pile/pile-cc"],
        methods,
        seeds: 1,
        workers: 2,
        memoryMiB,
      }),
    );
    const lines = await readResults(`${out}/results.jsonl`);
    const side = await Array.fromAsync(Deno.readDir(`${out}`));
    return {
      by: new Map(lines.map((l) => [l.method, l])),
      files: side.map((e) => e.name),
      out,
      cleanup: () => Deno.remove(out, { recursive: true }),
    };
  } catch (e) {
    await Deno.remove(out, { recursive: true });
    throw e;
  }
}

function strip(l: ResultLine | undefined) {
  if (!l) return undefined;
  const { timings: _, ...rest } = l;
  return rest;
}

Deno.test("sandbox: each attack fails its own cell, naming what it may not do; other cells are unchanged", async () => {
  const builtins = ["uniform", "natural", "random-search"];
  const clean = await bench(builtins);
  const attacks: Record<string, RegExp> = {
    readPasswd: /NotCapable: Requires read access to "\/etc\/passwd"/,
    readEnv: /NotCapable: Requires env access/,
    writeSource: /NotCapable: Requires write access to ".*core\/version\.ts"/,
    runGit: /NotCapable: Requires run access to "git"/,
    network: /NotCapable: Requires net access to "127\.0\.0\.1:9"/,
    mutatePrior: /TypeError: Cannot assign to read only property '0'/,
    asyncThrow: /^UnhandledError: Error: rejected behind the harness's back$/,
    exit: /^ProcessExitError: Cell's process exited \(code 3\) before finishing$/,
  };
  // Attacks interleaved with the built-ins, so a built-in cell runs right after each attack.
  const specs = Object.keys(attacks).flatMap((a, i) => [`${H}#${a}`, builtins[i % 3]!]);
  const r = await bench([...new Set(specs)]);
  try {
    for (const [attack, expected] of Object.entries(attacks)) {
      const line = r.by.get(`hostile.ts#${attack}`);
      assert(line, `no line for ${attack}`);
      assertEquals(line.status, "failed", attack);
      const text = `${line.error!.name}: ${line.error!.message}`;
      assert(expected.test(text), `${attack}: ${text}`);
    }
    for (const id of builtins) assertEquals(strip(r.by.get(id)), strip(clean.by.get(id)), id);
    // The suite's source is untouched.
    const version = await Deno.readTextFile(new URL("../../core/version.ts", import.meta.url));
    assert(!version.includes("pwned"));
  } finally {
    await r.cleanup();
    await clean.cleanup();
  }
});

Deno.test("sandbox: out-of-memory fails its cell and the bench goes on; huge messages are capped", async () => {
  const r = await bench([`${H}#allocate`, "uniform", `${H}#hugeError`, `${H}#fakeUniform`], 256);
  try {
    const oom = r.by.get("hostile.ts#allocate")!;
    assertEquals(oom.status, "failed");
    assertEquals(oom.error!.name, "OutOfMemoryError");
    assertEquals(r.by.get("uniform")!.status, "ok");
    const huge = r.by.get("hostile.ts#hugeError")!;
    assert(huge.error!.message.length < MAX_ERROR_CHARS + 200, "message capped");
    assert(
      huge.error!.message.includes("whole message in errors/"),
      huge.error!.message.slice(-120),
    );
    assert(r.files.includes("errors"));
    // A module's method never takes a built-in id: it is namespaced by its module.
    assertEquals(r.by.get("hostile.ts#fakeUniform")!.status, "ok");
    assertEquals([...r.by.keys()].filter((k) => k === "uniform").length, 1);
  } finally {
    await r.cleanup();
  }
});

Deno.test("sandbox: a module that declares itself an oracle is refused at load", async () => {
  const out = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => runBench(testBenchOptions(out, { methods: [`${H}#oracle`] })),
      InputError,
      `Method module "${H}#oracle" declares oracle: true; only built-in methods may be oracles`,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
