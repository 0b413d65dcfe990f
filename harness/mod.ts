/**
 * The harness: runs one cell of the optimise track ({@linkcode runCell}) or the Predict track
 * ({@linkcode runPredict}) with the method context built in one place (`context.ts`), and
 * schedules cells on workers (`scheduler.ts`). Methods and runners are handed in; the harness
 * imports neither.
 *
 * @module
 */

export * from "./cell.ts";
export * from "./context.ts";
export * from "./predict.ts";
export * from "./scheduler.ts";
