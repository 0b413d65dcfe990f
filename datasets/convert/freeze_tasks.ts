/**
 * Recomputes and freezes the pool-mode reference values (f₀ = target-pool mean, f* = its best)
 * of every built-in task card. A card whose values change must also get a new version.
 */

import { poolReference, resolveTask } from "../../core/task.ts";
import { loadTable, loadTaskCard, taskCardPath, TASKS } from "../registry.ts";

/** Rewrites the reference block of each built-in task card; returns the changed ids. */
export async function freezeTasks(): Promise<string[]> {
  const changed: string[] = [];
  for (const id of TASKS) {
    const card = await loadTaskCard(id);
    if (card.runner !== "replay") continue; // surrogate references: deno task surrogates
    const task = resolveTask(card, await loadTable(card.table));
    const reference = poolReference(task);
    if (JSON.stringify(reference) !== JSON.stringify(card.reference)) {
      changed.push(id);
      await Deno.writeTextFile(
        taskCardPath(id),
        JSON.stringify({ ...card, reference }, null, 2) + "\n",
      );
    }
  }
  return changed;
}
