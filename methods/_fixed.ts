import type { MethodContext, MethodFactory } from "../core/method.ts";
import { nearestIndex } from "../core/mixture.ts";
import type { Mixture } from "../core/types.ts";

/**
 * Builds a zero-shot baseline that runs nothing and recommends a fixed mixture. In pool mode
 * the mixture is mapped to the nearest member of the target pool in L1 distance (twice the
 * total-variation distance; ties go to the first member in table order).
 */
export function fixedMixture(
  id: string,
  version: string,
  description: string,
  mixture: (ctx: MethodContext) => Mixture,
): MethodFactory {
  return {
    id,
    version,
    description,
    ranked: true,
    create(ctx) {
      const w = mixture(ctx);
      const rec = ctx.targetPool ? ctx.targetPool[nearestIndex(ctx.targetPool, w)]! : w;
      return {
        ask: () => [],
        tell: () => {},
        recommend: () => ({ mixture: rec }),
      };
    },
  };
}
