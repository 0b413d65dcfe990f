import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { main } from "../../cli.ts";
import { InputError } from "../../core/errors.ts";
import { commandLine, shellQuote } from "../../cli/args.ts";
import { runBench } from "../../bench/bench.ts";
import { testBenchOptions } from "../_bench.ts";
import { cli } from "../_cli.ts";

Deno.test("cli: every command has --help and -h (exit 0)", async () => {
  for (const command of ["bench", "report", "validate", "reproduce", "list"]) {
    for (const flag of ["--help", "-h"]) {
      const log = console.log;
      let text = "";
      console.log = (s: string) => void (text += s);
      try {
        assertEquals(await main([command, flag]), 0);
      } finally {
        console.log = log;
      }
      assert(text.startsWith(`deno task ${command}`), text.slice(0, 80));
      assert(text.includes("Exit codes: 0 done; 1 the run failed"), command);
    }
  }
});

// Each bad command line with its exact message (exit code 2: see the subprocess test below).
const BAD: readonly [string[], string][] = [
  [
    ["nope"],
    'unknown command "nope" (commands: bench, report, validate, merge, submit, reproduce, list, convert, infer-mixture, infer-bench)',
  ],
  [["bench", "--bogus"], "bench: Unknown option '--bogus' (see deno task bench --help)"],
  [["bench", "--methods", ","], '--methods is ",", expected at least one name'],
  [["bench", "--methods", "uniform,uniform"], '--methods names "uniform" twice'],
  [["bench", "--time-limit", "2000000"], "--time-limit is 2000000, at most 86400 is allowed"],
  [["bench", "--time-limit", "0"], '--time-limit is "0", expected a positive integer'],
  [["bench", "--seeds", "26"], "--seeds is 26, at most 25 are published"],
  [["bench", "--workers", "x"], '--workers is "x", expected a positive integer'],
  [["bench", "--direction", "up"], '--direction is "up", expected minimize or maximize'],
  [["bench", "--device", "tpu"], '--device is "tpu", expected cpu, gpu or auto'],
  [["bench", "--cpu-engine", "gpu"], '--cpu-engine is "gpu", expected simd or ort'],
  [["bench", "--resume", "--force"], "--resume and --force exclude each other"],
  [["bench", "--objective", "loss"], "--objective needs --dataset (a bring-your-own table)"],
  [["bench", "--tasks", "nope/x"], 'Unknown task "nope/x"'],
  [["bench", "--methods", "nope"], 'Unknown method "nope"'],
  [["bench", "--methods", "uniform@x"], 'Method "uniform" takes no "@" argument'],
  [["validate"], "validate: expected one results folder, e.g. deno task validate out/bench"],
  [
    ["validate", "/nonexistent"],
    'validate: "/nonexistent" is not a results folder (no /nonexistent/run.json)',
  ],
  [
    ["report", "/nonexistent"],
    'report: "/nonexistent" is not a results folder (no /nonexistent/run.json)',
  ],
  [["reproduce"], "reproduce: expected one manifest name (regmix, admire, aioli) or a path to one"],
  [["reproduce", "nope"], 'reproduce: No manifest "nope"'],
];

Deno.test("cli: bad command lines are input errors with a message naming the flag", async () => {
  const out = await Deno.makeTempDir();
  try {
    for (const [args, message] of BAD) {
      const a = args[0] === "bench" ? [...args, "--out", out] : args;
      await assertRejects(() => main(a), InputError, message);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli: a usage error exits 2 with one line and no stack trace", async () => {
  const r = await cli("bench", "--methods", "uniform,uniform");
  assertEquals(r.code, 2);
  assertEquals(r.stderr, 'mixbench: --methods names "uniform" twice\n');
  const h = await cli("bench", "--help");
  assertEquals(h.code, 0);
  const none = await cli();
  assertEquals(none.code, 2);
});

Deno.test("bench refuses a folder that holds results unless --resume or --force", async () => {
  const out = await Deno.makeTempDir();
  try {
    const o = testBenchOptions(out, {
      tasks: ["regmix-pile/pile-cc"],
      methods: ["uniform"],
      force: false,
    });
    await runBench(o);
    await assertRejects(
      () => runBench(o),
      InputError,
      `--out "${out}" already holds results (3 cells in results.jsonl): pass --resume to run ` +
        "only the missing cells, or --force to replace them",
    );
    assertEquals((await runBench({ ...o, resume: true })).ran, 0);
    assertEquals((await runBench({ ...o, force: true })).ran, 3);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("the regenerate command is shell-quoted: sh parses it back to the same arguments", async () => {
  const args = ["--dataset", "my runs/x.csv", "--objective", "mean(metric_*)", "--x", "it's"];
  const line = commandLine("bench", args);
  assertEquals(
    line,
    "deno task bench --dataset 'my runs/x.csv' --objective 'mean(metric_*)' --x 'it'\\''s'",
  );
  const sh = await new Deno.Command("sh", {
    args: ["-c", `printf '%s\\n' ${args.map(shellQuote).join(" ")}`],
    stdout: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(sh.stdout), args.join("\n") + "\n");
  const check = await new Deno.Command("sh", { args: ["-n", "-c", line] }).output();
  assertEquals(check.code, 0);
});
