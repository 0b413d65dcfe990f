import type { MethodContext } from "../core/method.ts";
import type { Domain } from "../core/types.ts";

/**
 * The domain a single-metric objective belongs to (`pile_cc_loss` → `pile_cc`), by the longest
 * domain name that the metric name equals or starts with followed by `_`; −1 when none.
 */
export function ownDomain(ctx: MethodContext): number {
  return ownDomainOf(ctx.objective.expression.replace(/^metric_/, ""), ctx.domains);
}

/** The domain a metric belongs to by name (see {@linkcode ownDomain}); −1 when none. */
export function ownDomainOf(metric: string, domains: readonly Domain[]): number {
  let best = -1;
  domains.forEach((d, i) => {
    if (
      (metric === d.name || metric.startsWith(`${d.name}_`)) &&
      (best < 0 || d.name.length > domains[best]!.name.length)
    ) {
      best = i;
    }
  });
  return best;
}
