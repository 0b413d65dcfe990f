import { assertEquals, assertThrows } from "../_assert.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { tinyTask } from "../_tiny.ts";

Deno.test("ReplayRunner.evaluate() returns the table run with provenance and the task's cost", async () => {
  const task = await tinyTask();
  const r = new ReplayRunner(task);
  const [o] = r.evaluate([{ mixture: [0.5, 0.5, 0], fidelity: "small" }]);
  assertEquals([o!.value, o!.cost, o!.source], [1.5, 1, { kind: "table", row: 3 }]);
  assertEquals(o!.metrics, { loss: 1.5, acc: 0.4 });
});

Deno.test("ReplayRunner matches table mixtures after renormalising rounding", async () => {
  const task = await tinyTask();
  const w = [0.34, 0.33, 0.33].map((x) => x / 1.0);
  const [o] = new ReplayRunner(task).evaluate([{ mixture: w, fidelity: "small" }]);
  assertEquals(o!.source, { kind: "table", row: 5 });
});

Deno.test("ReplayRunner refuses fresh mixtures and unqueryable fidelities", async () => {
  const task = await tinyTask();
  const r = new ReplayRunner(task);
  assertThrows(
    () => r.evaluate([{ mixture: [0.2, 0.2, 0.6], fidelity: "small" }]),
    RangeError,
    /not in the small pool/,
  );
  assertThrows(
    () => r.evaluate([{ mixture: [1, 0, 0], fidelity: "large" }]),
    RangeError,
    /cannot be queried/,
  );
  assertThrows(() => r.judge([0.2, 0.2, 0.6]), RangeError, /not a member of the small target pool/);
  assertEquals(r.judge([1, 0, 0]), { value: 3, row: 0 });
});
