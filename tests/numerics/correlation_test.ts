import { assertAlmost, assertEquals } from "../_assert.ts";
import { kendall, pearson, ranks, spearman, topRecall } from "../../numerics/stats/correlation.ts";

// Reference values computed with scipy.stats 1.17 (spearmanr, pearsonr, kendalltau "b").
const A = [3.1, 2.4, 2.4, 5.0, 1.2, 4.4, 3.1, 0.5];
const B = [2.0, 1.0, 1.5, 4.0, 1.0, 3.0, 2.5, 0.2];

Deno.test("ranks() gives average ranks to ties", () => {
  assertEquals(ranks(A), [5.5, 3.5, 3.5, 8, 2, 7, 5.5, 1]);
});

Deno.test("spearman(), pearson() and kendall() match scipy on a tied example", () => {
  assertAlmost(spearman(A, B), 0.9757754965005869, 1e-12);
  assertAlmost(pearson(A, B), 0.9619540368727463, 1e-12);
  assertAlmost(kendall(A, B), 0.9435641951204965, 1e-12);
});

Deno.test("topRecall() counts the overlap of the top fractions", () => {
  assertEquals(
    topRecall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 3, 4, 5, 6, 7, 8, 9, 10], 0.2, true),
    1,
  );
  assertEquals(
    topRecall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 3, 4, 5, 6, 7, 8, 2, 1], 0.2, true),
    0,
  );
  assertEquals(topRecall([1, 2, 3, 4], [4, 3, 2, 1], 0.25, false), 0);
  assertEquals(topRecall([1, 2, 3, 4], [1, 2, 3, 9], 0.25, false), 1);
});
