import type { MethodContext } from "../core/method.ts";

/**
 * The domain a single-metric objective belongs to (`pile_cc_loss` → `pile_cc`), by the longest
 * domain name that the metric name equals or starts with followed by `_`; −1 when none.
 */
export function ownDomain(ctx: MethodContext): number {
  const name = ctx.objective.expression.replace(/^metric_/, "");
  let best = -1;
  ctx.domains.forEach((d, i) => {
    if (
      (name === d.name || name.startsWith(`${d.name}_`)) &&
      (best < 0 || d.name.length > ctx.domains[best]!.name.length)
    ) {
      best = i;
    }
  });
  return best;
}
