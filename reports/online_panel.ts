/**
 * The report's panel for online cells (core/online.ts): per task, the **in-run** judgement of
 * each online method (the steered run's final model; never mixed with the weights-transfer
 * judgement, which is in the task's leaderboard as the checkpoints), its gap to `stratified`
 * paired by seed, its gap to `stratified` at equal total cost (a stratified run given the method's
 * whole cost as more training, `online.equalCost`), the cost per signal, and each method's weight
 * schedule (seed of the lowest
 * number) drawn as stacked areas over the run's steps.
 *
 * @module
 */

import type { ResultLine } from "../core/results.ts";
import type { TaskSummary } from "./aggregate.ts";
import { esc, type FigureSink, fmt, table } from "./_html.ts";
import { color, type Figure, figure } from "./figures.ts";
import { tInterval95 } from "../numerics/stats/summary.ts";

/** Lines of one task that carry an online record. */
function onlineLines(s: TaskSummary): ResultLine[] {
  return s.methods.flatMap((c) => c.lines.filter((l) => l.online !== undefined));
}

/**
 * The schedule of one online line as stacked areas (one trace per domain).
 *
 * @param line A results line with an online record.
 * @param domains Domain names.
 * @param id Element id.
 */
export function scheduleFigure(line: ResultLine, domains: readonly string[], id: string): Figure {
  const o = line.online!;
  // Each entry holds from its step to the next one's (or the run's end): step-shaped areas.
  const xs: number[] = [];
  const ys: number[][] = domains.map(() => []);
  o.schedule.forEach((e, i) => {
    const end = o.schedule[i + 1]?.step ?? o.steps;
    for (const x of [e.step, end]) {
      xs.push(x);
      e.weights.forEach((w, d) => ys[d]!.push(w));
    }
  });
  return figure(
    id,
    domains.map((name, d) => ({
      type: "scatter",
      mode: "lines",
      name,
      x: xs,
      y: ys[d],
      stackgroup: "w",
      line: { width: 0.5, color: color(d) },
    })),
    {
      height: 260,
      margin: { l: 50, r: 20, t: 10, b: 40 },
      xaxis: { title: { text: "step" } },
      yaxis: { title: { text: "weight" }, range: [0, 1] },
      legend: { font: { size: 10 } },
    },
  );
}

/**
 * The online panel, or undefined when no line has an online record.
 *
 * @param summaries Per-task summaries.
 * @param sink Where figures are registered.
 */
export function onlinePanel(
  summaries: readonly TaskSummary[],
  sink: FigureSink,
): string | undefined {
  const parts: string[] = [];
  for (const s of summaries) {
    const lines = onlineLines(s);
    if (lines.length === 0) continue;
    const methods = [...new Set(lines.map((l) => l.method))];
    const base = new Map(
      lines.filter((l) => l.method === "stratified").map((l) => [l.seed, l.online!.inRun.value]),
    );
    const rows = methods.map((m) => {
      const mine = lines.filter((l) => l.method === m);
      const v = mine.map((l) => l.online!.inRun.value);
      const gaps = mine.flatMap((l) =>
        base.has(l.seed) ? [l.online!.inRun.value - base.get(l.seed)!] : []
      );
      const equal = mine.flatMap((l) =>
        l.online!.equalCost ? [l.online!.inRun.value - l.online!.equalCost.value] : []
      );
      const eq = equal.length ? tInterval95(equal) : undefined;
      const steps = mine.flatMap((l) => l.online!.equalCost ? [l.online!.equalCost.steps] : []);
      const units = mine.map((l) => l.spent);
      const costs: Record<string, number> = {};
      for (const l of mine) {
        const unit = l.online!.bytePasses / l.spent;
        for (const [k, x] of Object.entries(l.online!.cost)) {
          costs[k] = (costs[k] ?? 0) + x / unit / mine.length;
        }
      }
      const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
      return [
        `<code>${esc(m)}</code>`,
        String(mine.length),
        mine[0]!.online!.fidelity,
        fmt(mean(v), 4),
        fmt(mean(gaps), 4),
        !eq
          ? "—"
          : Number.isNaN(eq.low)
          ? fmt(eq.mean, 4)
          : `${fmt(eq.mean, 4)} [${fmt(eq.low, 4)}, ${fmt(eq.high, 4)}]`,
        steps.length ? fmt(mean(steps), 0) : "—",
        fmt(mean(units), 2),
        esc(Object.entries(costs).map(([k, x]) => `${k} ${x.toFixed(2)}`).join(", ")),
      ];
    });
    parts.push(
      `<h3 id="online-${esc(s.task.id)}">${esc(s.task.id)}</h3>`,
      table(
        [
          "method",
          "seeds",
          "fidelity",
          "in-run objective (mean)",
          "gap to stratified (paired mean)",
          "gap to stratified at equal cost (mean [95% t])",
          "equal-cost stratified steps",
          "cost (task units)",
          "cost per signal",
        ],
        rows,
      ),
    );
    const k = lines[0]!.online!.averaged.length;
    const domains = s.task.domains?.length === k
      ? s.task.domains
      : Array.from({ length: k }, (_, i) => `domain ${i}`);
    for (const m of methods) {
      const first = lines.filter((l) => l.method === m).sort((a, b) => a.seed - b.seed)[0]!;
      parts.push(sink.slot(
        scheduleFigure(first, domains, sink.id("schedule")),
        `${m} on ${s.task.id}, seed ${first.seed}: sampling weights over the steered run's ` +
          `${first.online!.steps} steps (${first.online!.schedule.length} changes).`,
      ));
    }
  }
  if (parts.length === 0) return undefined;
  return [
    `<h2 id="online">Online methods: in-run track</h2>`,
    `<p>The final model of each steered run, judged at its own fidelity (validation bits/byte ` +
    `of the task's objective; lower is better); gaps are to <code>stratified</code> with the ` +
    `same seed. The weights-transfer judgement of the same cells (a fresh run at the target ` +
    `fidelity on the extracted mixture) is in the task's leaderboard above. At equal cost, the ` +
    `same final model is set beside a <code>stratified</code> run of the same model and seed ` +
    `trained for as many steps as the method's whole cost pays for (its signals, probes and ` +
    `auxiliary runs spent as more training). Costs in the task's ` +
    `unit (one S run = 1), per signal (<code>aux:*</code>: auxiliary runs).</p>`,
    ...parts,
  ].join("\n");
}
