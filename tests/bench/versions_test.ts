import { assertEquals, assertRejects } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { mergeResults } from "../../bench/merge.ts";
import { readResults } from "../../core/results.ts";
import { InputError } from "../../core/errors.ts";
import { getMethod } from "../../methods/mod.ts";
import { testBenchOptions } from "../_bench.ts";

// A method from outside the suite that declares no version: it is versioned by its file's hash.
const MODULE = (comment: string) =>
  `// ${comment}\nexport const mine = {\n  id: "mine",\n  description: "first pool member",\n` +
  `  ranked: true,\n  create(ctx) {\n    return {\n      ask: () => [],\n      tell() {},\n` +
  `      recommend: () => ({ mixture: ctx.targetPool[0] }),\n    };\n  },\n};\n`;

async function sha16(text: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

Deno.test("every results line carries its versions; the leaderboard refuses to mix them", async () => {
  const tmp = await Deno.makeTempDir();
  const file = `${tmp}/mine.ts`;
  const spec = `${file}#mine`;
  const opts = (out: string, task: string) =>
    testBenchOptions(out, { tasks: [task], methods: ["uniform", spec], seeds: 1 });
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await Deno.writeTextFile(file, MODULE("first"));
  await runBench(opts(`${tmp}/a`, "regmix-pile/pile-cc"));
  const meta = JSON.parse(await Deno.readTextFile(`${tmp}/a/run.json`));
  const lines = await readResults(`${tmp}/a/results.jsonl`);
  assertEquals(lines.length, 2);
  const table = meta.tasks[0].tableSha256 as string;
  const hashed = `sha256:${await sha16(`${file}\0${MODULE("first")}\0`)}`;
  for (const l of lines) {
    assertEquals(Object.keys(l).slice(0, 5), ["schema", "suite", "task", "method", "versions"]);
    assertEquals(l.versions, {
      method: l.method === "uniform" ? getMethod("uniform").version : hashed,
      commit: meta.commit,
      table,
    });
  }
  assertEquals(
    meta.methods.map((m: { version: string }) => m.version),
    [getMethod("uniform").version, hashed],
  );

  // Resuming into the first folder with the edited module is refused, naming the method.
  await Deno.writeTextFile(file, MODULE("edited"));
  await assertRejects(
    () => runBench({ ...opts(`${tmp}/a`, "regmix-pile/pile-cc"), resume: true, force: false }),
    InputError,
    new RegExp(`--resume: .* \\(method mine\\.ts#mine version ${esc(hashed)} → sha256:`),
  );

  // The edited module is another version: merging the two folders (other cells, another task)
  // is refused, and a leaderboard over lines of both versions too.
  await Deno.writeTextFile(file, MODULE("second"));
  await runBench(opts(`${tmp}/b`, "admire-ift/avg-7b"));
  await assertRejects(
    () => mergeResults(`${tmp}/m`, [`${tmp}/a`, `${tmp}/b`], { command: "test" }),
    InputError,
    new RegExp(`method mine\\.ts#mine: version sha256:[0-9a-f]{16} in .*, ${esc(hashed)} in `),
  );
  await assertRejects(
    () =>
      mergeResults(`${tmp}/m`, [`${tmp}/a`, `${tmp}/b`], { command: "test", allowMismatch: true }),
    InputError,
    new RegExp(
      "the leaderboard does not rank lines of different versions together: " +
        `method "mine\\.ts#mine" has lines of versions "${esc(hashed)}" and "sha256:[0-9a-f]{16}"`,
    ),
  );
  await Deno.remove(tmp, { recursive: true });
});
