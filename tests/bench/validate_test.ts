import { assert, assertEquals } from "../_assert.ts";
import { sharedBench } from "../_bench.ts";
import { validateDir } from "../../bench/validate.ts";
import { validate } from "../../reports/json_schema.ts";
import { writeFixture } from "../reports/_fixture.ts";

/** A fresh copy of one bench (2 seeds, reports) run once for this module's tests. */
async function bench(): Promise<string> {
  return (await sharedBench({ seeds: 2, reports: true })).dir;
}

async function editLines(dir: string, edit: (l: Record<string, unknown>, i: number) => unknown) {
  const path = `${dir}/results.jsonl`;
  const ls = (await Deno.readTextFile(path)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const out = ls.map(edit).filter((l) => l !== undefined);
  await Deno.writeTextFile(path, out.map((l) => JSON.stringify(l) + "\n").join(""));
}

Deno.test("validateDir() passes a fresh bench: schema, recomputed aggregates, coverage", async () => {
  const dir = await bench();
  const v = await validateDir(dir);
  assertEquals([v.lines, v.schemaErrors, v.mismatches, v.notes], [12, [], [], []]);
  assertEquals(v.coverage.length, 6);
  assert(v.coverage.every((c) => c.ok === 2 && c.missing.length === 0));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validateDir() recomputes stored aggregates from the trajectories and the table", async () => {
  const dir = await bench();
  await editLines(dir, (l, i) => {
    const line = l as {
      method: string;
      spent: number;
      checkpoints: { score: number; value: number }[];
      trajectory: { value: number }[];
    };
    if (i === 0) {
      line.checkpoints[0]!.score += 0.5;
      line.checkpoints.at(-1)!.value += 0.1;
    }
    if (line.method === "random-search" && i < 6) {
      line.trajectory[3]!.value += 0.01;
      line.spent -= 1;
    }
    return line;
  });
  const v = await validateDir(dir);
  const has = (re: RegExp) => v.mismatches.some((m) => re.test(m));
  assert(has(/results\.jsonl:1 .*checkpoint 0: score .*, recomputed/), v.mismatches.join("\n"));
  assert(has(/step 3: value .*, table row gives/));
  assert(has(/: spent 7, recomputed 8/));
  assert(has(/results\.jsonl:1 .*checkpoint \d: value .*, table row gives/));
  assert(has(/^leaderboard\.json: /), "the stored leaderboard no longer matches the lines");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validateDir() reports schema violations and missing cells", async () => {
  const dir = await bench();
  await editLines(dir, (l, i) => {
    if (i === 1) return { ...l, extra: true };
    if (i === 2) {
      const { spent: _, ...rest } = l;
      return rest;
    }
    return i === 3 ? undefined : l;
  });
  const v = await validateDir(dir);
  assert(v.schemaErrors.some((e) => e === 'results.jsonl:2: /: unexpected property "extra"'));
  assert(v.schemaErrors.some((e) => e === 'results.jsonl:3: /: missing required property "spent"'));
  assertEquals(v.coverage.filter((c) => c.missing.length > 0).length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validateDir() recomputes Predict scores and notes tables it cannot load", async () => {
  const dir = await Deno.makeTempDir();
  await writeFixture(dir);
  const clean = await validateDir(dir);
  assertEquals([clean.schemaErrors, clean.mismatches], [[], []]);
  assert(clean.notes.some((n) => /table "fixture" could not be loaded/.test(n)));
  assert(clean.notes.includes("leaderboard.json absent: not compared"));
  const path = `${dir}/predict.jsonl`;
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.replace('"spearman":', '"spearman":0.5,"_s":'));
  const v = await validateDir(dir);
  assert(v.mismatches.some((m) => /predict\.jsonl:1 .*spearman 0\.5, recomputed/.test(m)));
  assert(
    v.schemaErrors.some((e) => /predict\.jsonl:1: \/sets\/0: unexpected property "_s"/.test(e)),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate() checks types, bounds, enums, oneOf and if/then", () => {
  const schema = {
    type: "object",
    required: ["status"],
    properties: {
      status: { enum: ["ok", "failed"] },
      n: { type: "integer", minimum: 0 },
      src: {
        oneOf: [
          { type: "object", required: ["kind"], properties: { kind: { const: "a" } } },
          { type: "object", required: ["kind"], properties: { kind: { const: "b" } } },
        ],
      },
    },
    if: { properties: { status: { const: "failed" } } },
    then: { required: ["error"] },
  };
  assertEquals(validate(schema, { status: "ok", n: 2, src: { kind: "a" } }), []);
  assertEquals(validate(schema, { status: "failed", n: -1, src: { kind: "c" } }), [
    "/n: -1 is below the minimum 0",
    "/src: must match exactly one of 2 alternatives",
    '/: missing required property "error"',
  ]);
  assertEquals(validate(schema, { status: "done" }), [
    '/status: "done" is not one of ["ok","failed"]',
  ]);
});
