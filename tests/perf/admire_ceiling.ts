/**
 * The ADMIRE noise ceiling (`datasets/noise.ts`): per fidelity, the spread of `avg_id+ood`, its
 * item-sampling standard error, each component's variance ratio, the smallest shared item
 * correlation the exact-count metrics allow, and the expected Spearman ρ, top-10% recall and
 * "best stays best" rate of a re-evaluation at each shared correlation.
 *
 * Usage: deno run -A tests/perf/admire_ceiling.ts
 *
 * @module
 */

import { loadTable } from "../../datasets/registry.ts";
import { tableNoiseCeiling } from "../../datasets/noise.ts";

const table = await loadTable("admire_ift");
for (const fidelity of ["0.5B", "3B", "7B"]) {
  const c = tableNoiseCeiling(table, { fidelity, metric: "avg_id+ood" })!;
  const exact = c.components.filter((m) => m.exact)
    .sort((a, b) => a.varianceRatio - b.varianceRatio)
    .map((m) => `${m.name} ${m.varianceRatio}`);
  console.log(
    `${fidelity}: runs ${c.runs}, sd ${c.valueSd}, mean se ${c.meanSe}, noise share ` +
      `${c.noiseShare}, r bound ${c.sharedCorrelationBound} (exact: ${exact.join(", ")})`,
  );
  for (const at of c.ceiling) {
    console.log(
      `  r ${at.sharedCorrelation}: se ${at.meanSe}, ρ ${at.spearman}, recall ${at.recall10}, ` +
        `best stays best ${at.bestStaysBest}`,
    );
  }
}
