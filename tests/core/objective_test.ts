import { assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { compileObjective } from "../../core/objective.ts";
import { exactly } from "../_exact.ts";

const NAMES = ["gsm8k::tulu", "mmlu:cot::summarize", "avg_id+ood", "loss"];
const RUN = { "gsm8k::tulu": 0.4, "mmlu:cot::summarize": 0.6, "avg_id+ood": 0.55, loss: 2 };

Deno.test("compileObjective() reads a metric by its exact name, with or without the prefix", () => {
  assertEquals(compileObjective("avg_id+ood", NAMES).evaluate(RUN), 0.55);
  assertEquals(compileObjective("metric_avg_id+ood", NAMES).evaluate(RUN), 0.55);
  assertEquals(compileObjective("metric_avg_id+ood", NAMES).metrics, ["avg_id+ood"]);
});

Deno.test("compileObjective() evaluates mean() and weighted sums over sanitised names", () => {
  assertAlmost(
    compileObjective("mean(metric_gsm8k__tulu, metric_mmlu_cot__summarize)", NAMES).evaluate(RUN),
    0.5,
    1e-15,
  );
  assertAlmost(
    compileObjective("0.7*metric_gsm8k__tulu + 0.3*loss", NAMES).evaluate(RUN),
    0.88,
    1e-15,
  );
  assertAlmost(compileObjective("-log(loss)", NAMES).evaluate(RUN), -Math.log(2), 1e-15);
});

Deno.test("compileObjective() refuses names, functions and constructs outside the restricted scope", () => {
  assertThrows(
    () => compileObjective("metric_nope", NAMES),
    TypeError,
    exactly(
      'Objective "metric_nope": metric "metric_nope" does not exist; closest names: ' +
        "metric_loss, metric_avg_id_ood, metric_gsm8k__tulu",
    ),
  );
  assertThrows(
    () => compileObjective("evaluate('1')", NAMES),
    TypeError,
    /function "evaluate" is not allowed/,
  );
  assertThrows(() => compileObjective("loss = 3", NAMES), TypeError, /AssignmentNode/);
  assertThrows(() => compileObjective("f(x) = x", NAMES), TypeError, /FunctionAssignmentNode/);
  assertThrows(
    () => compileObjective("loss.constructor", NAMES),
    TypeError,
    /AccessorNode|not allowed/,
  );
  assertThrows(() => compileObjective("loss > 1 ? 1 : 0", NAMES), TypeError, /not allowed/);
  assertThrows(() => compileObjective("(", NAMES), TypeError, /Cannot parse objective/);
});

Deno.test("compileObjective() rejects metric names that collide after sanitising", () => {
  assertThrows(() => compileObjective("a_b + 1", ["a:b", "a+b"]), TypeError, /both read as/);
});

Deno.test("compileObjective() names the closest metrics of an unknown name by edit distance", () => {
  const names = ["hellaswag", "winogrande:rc::olmes", "pile_cc_loss", "piqa", "loss"];
  assertThrows(
    () => compileObjective("perplexity", names),
    TypeError,
    exactly(
      'Objective "perplexity": metric "perplexity" does not exist; closest names: hellaswag, piqa, loss',
    ),
  );
  assertThrows(
    () => compileObjective("metric_hellaswg + 1", names),
    TypeError,
    exactly(
      'Objective "metric_hellaswg + 1": metric "metric_hellaswg" does not exist; closest names: ' +
        "metric_hellaswag, metric_loss, metric_piqa",
    ),
  );
});

Deno.test("compileObjective() expands patterns in call arguments to the matching metrics", () => {
  const names = ["mmlu_a", "mmlu:b", "hellaswag", "loss"];
  const run = { mmlu_a: 1, "mmlu:b": 2, hellaswag: 3, loss: 6 };
  const all = compileObjective("mean(metric_*)", names);
  assertEquals(all.metrics, names);
  assertEquals(all.evaluate(run), 3);
  const mmlu = compileObjective("mean(metric_mmlu*)", names);
  assertEquals(mmlu.metrics, ["mmlu_a", "mmlu:b"]);
  assertEquals(mmlu.evaluate(run), 1.5);
  assertEquals(compileObjective("max(mmlu*, loss) - min(*)", names).evaluate(run), 5);
  assertEquals(compileObjective("sum(metric_*_a, hellaswag)", names).evaluate(run), 4);
  // Spaces make `*` a product; a leading digit is never a pattern.
  assertEquals(compileObjective("max(loss * 2)", names).evaluate(run), 12);
  assertEquals(compileObjective("mean(2*loss)", names).evaluate(run), 12);
  assertEquals(compileObjective("loss*hellaswag", names).evaluate(run), 18);
  assertThrows(
    () => compileObjective("mean(metric_mmlu*, gsm*)", names),
    TypeError,
    exactly(
      'Objective "mean(metric_mmlu*, gsm*)": pattern "gsm*" matches no metric (to multiply, put ' +
        'spaces around "*")',
    ),
  );
});

Deno.test("compileObjective() expands a 110-metric mean without writing the names", () => {
  const names = Array.from({ length: 110 }, (_, i) => `task${i}:acc`);
  const run = Object.fromEntries(names.map((n, i) => [n, i]));
  const f = compileObjective("mean(metric_*)", names);
  assertEquals(f.metrics.length, 110);
  assertEquals(f.evaluate(run), 54.5);
});

Deno.test("compileObjective() matches a pattern without the prefix against bare names only", () => {
  const names = ["mmlu", "loss"];
  assertEquals(compileObjective("mean(m*)", names).metrics, ["mmlu"]);
  assertEquals(compileObjective("mean(metric_m*)", names).metrics, ["mmlu"]);
  assertEquals(compileObjective("mean(*s)", names).metrics, ["loss"]);
});

Deno.test("compileObjective() evaluates mean(…) and sum(…) of metrics without mathjs, bit for bit, on every run of the tables", async () => {
  const { loadTask } = await import("../../datasets/registry.ts");
  for (const id of ["regmix-pile/avg-1b", "olmix/superswarm-bpb"]) {
    const { table } = await loadTask(id);
    const names = table.card.metrics.map((m) => m.name);
    const def = table.card.metrics.find((m) => m.definition !== undefined)!.definition!;
    const args = def.slice(def.indexOf("(") + 1, -1);
    for (const fn of ["mean", "sum"]) {
      // Parentheses around the call keep it on mathjs's path: the reference.
      const plain = compileObjective(`${fn}(${args})`, names);
      const viaMathjs = compileObjective(`(${fn}(${args}))`, names);
      let n = 0;
      for (const run of table.runs) {
        const a = plain.evaluate(run.metrics), b = viaMathjs.evaluate(run.metrics);
        if (!Object.is(a, b)) throw new Error(`${id} row ${run.row}: ${fn} ${a} ≠ ${b}`);
        n++;
      }
      assertEquals(n > 500, true);
    }
  }
  // One argument, a pattern, and a missing metric (the same error as mathjs's path).
  const one = compileObjective("mean(a)", ["a", "b"]);
  assertEquals(one.evaluate({ a: 0.1, b: 2 }), 0.1);
  const all = compileObjective("sum(metric_*)", ["a", "b", "c"]);
  assertEquals(all.evaluate({ a: 0.1, b: 0.2, c: 0.3 }), 0.1 + 0.2 + 0.3);
  assertThrows(() => all.evaluate({ a: 1, c: 2 }), TypeError, `Metric "b" is missing`);
});
