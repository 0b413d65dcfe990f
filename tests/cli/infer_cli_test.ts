import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { main } from "../../cli.ts";
import { InputError } from "../../core/errors.ts";
import { trainBpe } from "../../inference/bpe.ts";
import { formatMergesTxt } from "../../inference/merges.ts";
import { compilePattern, countWords } from "../../inference/pretokenize.ts";
import { cli } from "../_cli.ts";

Deno.test("infer-mixture: bad inputs are InputErrors naming the file, line or flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.txt`, "#version: 0.2\nĠ t\nnot-a-merge\n");
    await Deno.writeTextFile(`${dir}/ok.txt`, "#version: 0.2\nĠ t\nh e\n");
    await Deno.mkdir(`${dir}/s`);
    await Deno.writeTextFile(`${dir}/s/a.txt`, "the cat");
    await Deno.writeTextFile(`${dir}/s/b.txt`, "");
    const cases: [string[], string][] = [
      [["--samples", "moby"], "--merges FILE is required"],
      [["--merges", `${dir}/ok.txt`], "--samples DIR|DOMAINS is required"],
      [["--merges", `${dir}/missing.txt`, "--samples", "moby"], "cannot be read"],
      [["--merges", `${dir}/bad.txt`, "--samples", `${dir}/s`], "bad.txt:3"],
      [["--merges", `${dir}/ok.txt`, "--samples", `${dir}/s`], 'category "b" is empty'],
      [["--merges", `${dir}/ok.txt`, "--samples", "moby,klingon"], '"klingon" is neither'],
      [["--merges", `${dir}/ok.txt`, "--samples", "moby", "--format", "xml"], "--format"],
      [["--merges", `${dir}/ok.txt`, "--samples", "moby", "--pattern", "(?<x"], "(?<x"],
      [["--merges", "js-tiktoken:p99k", "--samples", "moby"], 'unknown encoding "p99k"'],
    ];
    for (const [args, msg] of cases) {
      await assertRejects(() => main(["infer-mixture", ...args]), InputError, msg);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("infer-mixture: exit 2 on bad input, 0 with JSON on a good one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = await cli("infer-mixture", "--merges", `${dir}/none.txt`, "--samples", "moby");
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("cannot be read") && !bad.stderr.includes("    at "), bad.stderr);
    const en = "the theme of the day is the end ".repeat(50);
    const words = countWords(en, compilePattern("gpt2"));
    await Deno.writeTextFile(`${dir}/m.txt`, formatMergesTxt(trainBpe(words, 10, "gpt2")));
    await Deno.mkdir(`${dir}/s`);
    await Deno.writeTextFile(`${dir}/s/en.txt`, en);
    await Deno.writeTextFile(`${dir}/s/xx.txt`, "zzzz qqqq ".repeat(50));
    const ok = await cli(
      "infer-mixture",
      "--merges",
      `${dir}/m.txt`,
      "--samples",
      `${dir}/s`,
      "--out",
      `${dir}/o.json`,
    );
    assertEquals(ok.code, 0, ok.stderr);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/o.json`));
    assertEquals(json.categories, ["en", "xx"]);
    // trained on en only: the frequent pairs of xx (zz, qq) were never merged
    assert(json.alpha[0] > 0.99, String(json.alpha));
    assert(ok.stdout.includes("LP objective"), ok.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
