/**
 * Speed of the Predict track's GP fit (`fitPredictor` of `bo`, `mfbo`, `mfbo-pm`: a cold MAP
 * fit of the single-kind GP, `numerics/gp/fit.ts`) on the built-in Predict tasks, with a
 * fingerprint of the fitted hyper-parameters and loss so that a faster fit can be checked to
 * find the same numbers bit for bit.
 *
 * Usage: deno run -A tests/perf/gp_fit_speed.ts [--tasks a,b] [--repeat N]
 *
 * @module
 */

import process from "node:process";
import { fitGp, GpWorkspace } from "../../numerics/gp/gp.ts";
import { compileObjective } from "../../core/objective.ts";
import { selectRuns } from "../../core/predict.ts";
import { fitContext } from "../../harness/context.ts";
import { loadPredictTaskCard, loadTable, PREDICT_TASKS } from "../../datasets/registry.ts";

const args = Deno.args;
const at = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const tasks = at("tasks")?.split(",") ?? [...PREDICT_TASKS];
const repeat = Number(at("repeat") ?? 1);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** FNV-1a over the bytes of the values: equal fingerprints ⇔ (almost surely) equal bits. */
function fingerprint(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(Float64Array.from(values).buffer);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

for (const id of tasks) {
  const card = await loadPredictTaskCard(id);
  const table = await loadTable(card.table);
  const objective = compileObjective(card.objective, table.card.metrics.map((m) => m.name));
  const train = selectRuns(table, card.train);
  const sign = card.direction === "minimize" ? -1 : 1;
  const d = train[0]!.mixture.length;
  const data = {
    kind: "single" as const,
    d,
    x: Float64Array.from(train.flatMap((r) => [...r.mixture])),
    fidelity: new Float64Array(train.length).fill(1),
    y: Float64Array.from(train, (r) => sign * objective.evaluate(r.metrics)),
  };
  const times: number[] = [];
  let line = "";
  for (let r = 0; r < repeat; r++) {
    const ctx = fitContext(
      `${card.id}@${card.version}`,
      table,
      { metrics: objective.metrics, expression: card.objective, direction: card.direction },
      train,
      card.train.fidelity,
      0,
    );
    const t0 = cpuMs();
    const fit = fitGp(data, { rng: ctx.rng, workspace: new GpWorkspace() });
    const mean = fit.posterior.predict(data.x, d).mean;
    times.push(cpuMs() - t0);
    line =
      `n ${train.length}, d ${d}: ${fit.evaluations} evaluations, ${fit.attempts} attempt(s), ` +
      `loss ${fit.loss}, raw ${fingerprint(fit.raw)}, mean ${fingerprint(mean)}`;
  }
  times.sort((a, b) => a - b);
  console.log(`${id}: ${line}; CPU ${times.map((t) => (t / 1000).toFixed(2)).join(", ")} s`);
}
