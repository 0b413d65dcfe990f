import { assertAlmost, assertEquals } from "../_assert.ts";
import { unimaxAllocation } from "../../methods/unimax.ts";

Deno.test("unimaxAllocation() gives an equal share when no domain hits its epoch cap", () => {
  const a = unimaxAllocation([100, 200, 300], 90, 1);
  assertEquals(a.allocation, [30, 30, 30]);
  assertEquals(a.unused, 0);
});

Deno.test("unimaxAllocation() caps small domains at N epochs and redistributes to larger ones", () => {
  // sizes 5, 50, 500; budget 300; N = 2: 10 (cap), then min(145, 100) = 100 (cap), then 190.
  const a = unimaxAllocation([500, 5, 50], 300, 2);
  assertEquals(a.allocation, [190, 10, 100]);
  assertAlmost(a.weights.reduce((x, y) => x + y, 0), 1, 1e-15);
  assertEquals(a.unused, 0);
});

Deno.test("unimaxAllocation() returns the capped allocation and the unused remainder past N·Σc", () => {
  const a = unimaxAllocation([10, 20, 30], 1000, 3);
  assertEquals(a.allocation, [30, 60, 90]);
  assertEquals(a.unused, 820);
  assertEquals(a.weights, [30 / 180, 60 / 180, 90 / 180]);
});
