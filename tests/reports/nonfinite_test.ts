import { assert } from "../_assert.ts";
import { writeReports } from "../../reports/write.ts";
import { lines, META, predictLines } from "./_fixture.ts";

Deno.test("writeReports() survives a cell failed for a non-finite objective and NaN values", async () => {
  const dir = await Deno.makeTempDir();
  // As a results folder written before objectives were checked: JSON turns NaN into null.
  const meta = {
    ...META,
    tasks: META.tasks.map((t, i) =>
      i === 0 ? { ...t, reference: { ...t.reference, zero: NaN } } : t
    ),
  };
  let nan = false;
  let failed = false;
  const results = lines().map((l) => {
    if (l.task.id !== "fx/min") return l;
    if (!nan && l.method === "good") {
      nan = true;
      return { ...l, checkpoints: l.checkpoints.map((c) => ({ ...c, value: NaN, score: NaN })) };
    }
    if (!failed && l.method === "uniform") {
      failed = true;
      return {
        ...l,
        status: "failed" as const,
        error: {
          name: "RangeError",
          message: 'The objective "loss/0" of task "fx/min" is "Infinity" on the recommendation, ' +
            "expected a finite number",
        },
        checkpoints: [],
      };
    }
    return l;
  });
  assert(nan && failed, "the fixture has both kinds of cell");
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify(meta));
  await Deno.writeTextFile(
    `${dir}/results.jsonl`,
    results.map((l) => JSON.stringify(l) + "\n").join(""),
  );
  await Deno.writeTextFile(
    `${dir}/predict.jsonl`,
    predictLines().map((l) => JSON.stringify(l) + "\n").join(""),
  );
  const files = await writeReports(dir);
  assert((await Deno.readTextFile(files.markdown)).includes("uniform"));
  assert((await Deno.readTextFile(files.html)).includes("fx/min"));
  await Deno.remove(dir, { recursive: true });
});
