/**
 * Task objectives: a metric name, or an expression over metric names evaluated with mathjs in a
 * restricted scope (arithmetic, `mean`, `min`, `max`, `sum`, `log`, `exp`, `sqrt`, `abs`, `pow`).
 *
 * Metric names that are not identifiers (`avg_id+ood`, `gsm8k::tulu`) can be written in an
 * expression with every other character replaced by `_` (`metric_avg_id_ood`); an objective that
 * is exactly a metric name (with or without the `metric_` prefix) is that metric.
 *
 * @module
 */

import { all, create, type MathNode } from "mathjs";

const math = create(all!);
const FUNCTIONS = new Set([
  "mean",
  "min",
  "max",
  "sum",
  "log",
  "exp",
  "sqrt",
  "abs",
  "pow",
  "median",
]);

/** A compiled objective. */
export interface Objective {
  /** The objective as written in the task card. */
  readonly expression: string;
  /** Metric names the objective reads. */
  readonly metrics: readonly string[];
  /** Evaluates the objective on one run's metrics. */
  evaluate(metrics: Readonly<Record<string, number>>): number;
}

/**
 * Compiles an objective against a table's metric names.
 *
 * @example
 * ```ts
 * import { compileObjective } from "./objective.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const f = compileObjective("0.5*metric_a + 0.25*metric_b", ["a", "b"]);
 * assertEquals(f.evaluate({ a: 1, b: 2 }), 1);
 * ```
 * @param expression A metric name or an expression.
 * @param metricNames The table's metric names (without the `metric_` prefix).
 * @returns The compiled objective.
 * @throws {TypeError} When the expression uses an unknown name, a function outside the allowed
 * set, or a construct other than arithmetic and calls.
 */
export function compileObjective(expression: string, metricNames: readonly string[]): Objective {
  const bare = expression.replace(/^metric_/, "");
  if (metricNames.includes(bare)) {
    return {
      expression,
      metrics: [bare],
      evaluate: (m) => value(m, bare),
    };
  }
  const aliases = new Map<string, string>();
  for (const name of metricNames) {
    for (const alias of [`metric_${name}`, name].map(identifier)) {
      const prev = aliases.get(alias);
      if (prev !== undefined && prev !== name) {
        throw new TypeError(
          `Objective "${expression}": names "${prev}" and "${name}" both read as "${alias}"`,
        );
      }
      aliases.set(alias, name);
    }
  }
  let node: MathNode;
  try {
    node = math.parse(expression);
  } catch (e) {
    throw new TypeError(`Cannot parse objective "${expression}": ${(e as Error).message}`, {
      cause: e,
    });
  }
  const used = new Set<string>();
  node.traverse((n, _path, parent) => {
    switch (n.type) {
      case "ConstantNode":
      case "ParenthesisNode":
        return;
      case "OperatorNode": {
        const op = (n as unknown as { op: string }).op;
        if (
          !["+", "-", "*", "/", "^", "unaryMinus", "unaryPlus"].includes(op) &&
          !/^[-+*/^]$/.test(op)
        ) {
          throw new TypeError(`Objective "${expression}": operator "${op}" is not allowed`);
        }
        return;
      }
      case "FunctionNode": {
        const name = (n as unknown as { fn: { name?: string } }).fn.name ?? "";
        if (!FUNCTIONS.has(name)) {
          throw new TypeError(
            `Objective "${expression}": function "${name}" is not allowed (allowed: ${
              [...FUNCTIONS].join(", ")
            })`,
          );
        }
        return;
      }
      case "SymbolNode": {
        const name = (n as unknown as { name: string }).name;
        const isCallee = parent?.type === "FunctionNode" &&
          (parent as unknown as { fn: MathNode }).fn === n;
        if (isCallee) return;
        const metric = aliases.get(name);
        if (metric === undefined) {
          throw new TypeError(
            `Objective "${expression}": unknown name "${name}", expected a metric of the table`,
          );
        }
        used.add(metric);
        return;
      }
      default:
        throw new TypeError(`Objective "${expression}": "${n.type}" is not allowed`);
    }
  });
  const code = node.compile();
  const names = [...used];
  const entries = [...aliases].filter(([, m]) => used.has(m));
  return {
    expression,
    metrics: names,
    evaluate(m) {
      const scope: Record<string, number> = {};
      for (const [alias, metric] of entries) scope[alias] = value(m, metric);
      const out = code.evaluate(scope);
      if (typeof out !== "number") {
        throw new TypeError(`Objective "${expression}" gave "${String(out)}", expected a number`);
      }
      return out;
    },
  };
}

function value(m: Readonly<Record<string, number>>, name: string): number {
  const x = m[name];
  if (x === undefined) throw new TypeError(`Metric "${name}" is missing from the run`);
  return x;
}

function identifier(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}
