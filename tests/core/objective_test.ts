import { assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { compileObjective } from "../../core/objective.ts";

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
    /unknown name "metric_nope"/,
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
