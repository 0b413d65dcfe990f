/**
 * Run tables and task cards: the loader with its validation, the built-in registry and
 * bring-your-own tasks.
 *
 * @example
 * ```ts
 * import { loadTask } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const task = await loadTask("regmix-pile/pile-cc");
 * assertEquals(task.targetPool.length, 768);
 * ```
 *
 * @module
 */

export { parseCard } from "./card.ts";
export {
  type CustomTask,
  customTask,
  customTaskCard,
  type CustomTaskOptions,
} from "./custom_task.ts";
export {
  loadRunTable,
  type LoadSummary,
  type ParseOptions,
  parseRunTable,
  sha256Hex,
  summarizeTable,
} from "./loader.ts";
export {
  CEILING_TASKS,
  loadTable,
  loadTask,
  loadTaskCard,
  REPRODUCTION_TASKS,
  tablePath,
  TABLES,
  taskCardPath,
  TASKS,
} from "./registry.ts";
export { parseTaskCard } from "./task_card.ts";
