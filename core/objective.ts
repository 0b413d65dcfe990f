/**
 * Task objectives: a metric name, or an expression over metric names evaluated with mathjs in a
 * restricted scope.
 *
 * The expression language:
 *
 * - **A metric name alone** (`hellaswag`, `metric_hellaswag`, `winogrande:rc::olmes`) is that
 *   metric, whatever characters its name holds.
 * - **In an expression**, a metric is written with or without the `metric_` prefix, with every
 *   character other than letters, digits and `_` replaced by `_`: `winogrande:rc::olmes` is
 *   `metric_winogrande_rc__olmes` (or `winogrande_rc__olmes`), `avg_id+ood` is `avg_id_ood`. Two
 *   metrics that read the same after this renaming make every expression over the table fail.
 * - **Operators**: `+ - * / ^`, unary minus, parentheses, decimal constants.
 * - **Functions**: `mean`, `median`, `min`, `max`, `sum` (each over any number of arguments),
 *   `log` (natural), `exp`, `sqrt`, `abs`, `pow(x, y)`. Nothing else: no assignments,
 *   comparisons, conditionals, matrices or property access.
 * - **Lists and patterns**: a function takes a list of metrics (`mean(metric_a, metric_b)`), or a
 *   pattern: a call argument written without spaces as a name holding `*` stands for every metric
 *   it matches, in table order. `*` matches any run of letters, digits and `_` of the renamed
 *   name; a pattern that starts with `metric_` is matched with the prefix, any other against the
 *   bare name. `mean(metric_*)` is the mean of all metrics, `mean(metric_mmlu*)` (or
 *   `mean(mmlu*)`) of those whose name starts with `mmlu`. To multiply inside a call, put spaces
 *   around `*`: `max(loss * 2)`. A pattern that matches no metric is an error.
 * - **Values**: an objective that is not a finite number on a run (`loss/0`, `loss^1000`) is
 *   refused when the task is bound to its table (core/task.ts) and fails the cell in the loop.
 *
 * A name that is not a metric is an error listing the closest metric names (edit distance).
 *
 * @module
 */

import type * as MathJs from "mathjs";
import type { MathNode } from "mathjs";
// mathjs's single-file build: the package's ES module tree is about a thousand files, and loading
// it cost every process (each cell process, each CLI call) about 0.5 s of CPU more than this one
// file. The types are the package's own.
// @ts-types="mathjs"
import * as mathjsBundle from "mathjs/lib/browser/math.js";
import { Rng } from "../numerics/rng.ts";
import type { MetricInfo } from "./types.ts";

// A CommonJS module: its exports arrive as the namespace's default.
const mathjs =
  ((mathjsBundle as { default?: typeof MathJs }).default ?? mathjsBundle) as typeof MathJs;
const math = mathjs.create(mathjs.all!);
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
  const expanded = expandPatterns(expression, metricNames);
  let node: MathNode;
  try {
    node = math.parse(expanded);
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
            `Objective "${expression}": metric "${name}" does not exist; closest names: ${
              closest(name, metricNames).join(", ")
            }`,
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
  const plain = plainAggregate(node, aliases);
  return {
    expression,
    metrics: names,
    evaluate(m) {
      if (plain) {
        const out = plain.evaluate(m);
        if (out !== undefined) return out;
      }
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

/**
 * `mean(…)` or `sum(…)` of metric names alone (a metric definition such as `mean(metric_*)`),
 * evaluated without mathjs: the additions in argument order from the first value, as mathjs's
 * `mean` and `sum` make them on numbers, then `mean`'s one division by the count (the same
 * value, bit for bit; tests/core/objective_test.ts compares both on every run of the tables).
 * Undefined for any other expression; its `evaluate` gives undefined when a metric is missing
 * (the mathjs path then names it).
 */
function plainAggregate(
  node: MathNode,
  aliases: ReadonlyMap<string, string>,
): { evaluate(m: Readonly<Record<string, number>>): number | undefined } | undefined {
  if (node.type !== "FunctionNode") return undefined;
  const call = node as unknown as { fn: { name?: string }; args: MathNode[] };
  const fn = call.fn.name;
  if ((fn !== "mean" && fn !== "sum") || call.args.length === 0) return undefined;
  const metrics: string[] = [];
  for (const arg of call.args) {
    const metric = arg.type === "SymbolNode"
      ? aliases.get((arg as unknown as { name: string }).name)
      : undefined;
    if (metric === undefined) return undefined;
    metrics.push(metric);
  }
  const count = metrics.length;
  return {
    evaluate(m) {
      let s = m[metrics[0]!];
      if (typeof s !== "number") return undefined;
      for (let i = 1; i < count; i++) {
        const v = m[metrics[i]!];
        if (typeof v !== "number") return undefined;
        s += v;
      }
      return fn === "mean" ? s / count : s;
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

/** A call argument holding `*` and no spaces (see the module doc); `2*x` is not one. */
const PATTERN =
  /(?<=(?:[A-Za-z_][A-Za-z0-9_]*\(|,)\s*)(?![0-9])[A-Za-z0-9_*]*\*[A-Za-z0-9_*]*(?=\s*[,)])/g;

/**
 * Replaces every pattern argument by the list of the metrics it matches: a pattern that starts
 * with `metric_` is matched against `metric_<renamed name>`, any other against the renamed name.
 */
function expandPatterns(expression: string, metricNames: readonly string[]): string {
  return expression.replace(PATTERN, (pattern) => {
    const re = new RegExp(`^${pattern.split("*").join("[A-Za-z0-9_]*")}$`);
    const prefixed = pattern.startsWith("metric_");
    const matched = metricNames.filter((n) =>
      re.test(prefixed ? `metric_${identifier(n)}` : identifier(n))
    );
    if (matched.length === 0) {
      throw new TypeError(
        `Objective "${expression}": pattern "${pattern}" matches no metric (to multiply, put ` +
          `spaces around "*")`,
      );
    }
    return matched.map((n) => `metric_${identifier(n)}`).join(", ");
  });
}

/** Up to three metric names closest to `name` in edit distance, written in `name`'s form. */
function closest(name: string, metricNames: readonly string[]): string[] {
  const prefixed = name.startsWith("metric_");
  const forms = metricNames.map((n) => prefixed ? `metric_${identifier(n)}` : identifier(n));
  return forms
    .map((f, i) => ({ f, i, d: editDistance(name.toLowerCase(), f.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, 3)
    .map((x) => x.f);
}

/** Levenshtein distance (insertions, deletions and substitutions cost 1). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(
        Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * How a metric name is written inside an expression: every character other than a letter, a
 * digit or `_` replaced by `_` (`gsm8k::tulu` → `gsm8k__tulu`).
 *
 * @param name A metric name.
 * @returns Its identifier.
 */
export function metricIdentifier(name: string): string {
  return identifier(name);
}

/** An objective written as an affine function of table metrics: `intercept + Σ weight·metric`. */
export interface LinearForm {
  /** The constant term. */
  readonly intercept: number;
  /** One term per metric with a non-zero weight, in the order the expression reads them. */
  readonly terms: readonly { readonly metric: string; readonly weight: number }[];
}

/**
 * Writes an objective as an affine function of the table's metrics, expanding metrics that
 * carry a `definition` (e.g. a stored `mean_loss` into the 13 losses it averages), or returns
 * undefined when the expression is not affine in them.
 *
 * Linearity is checked numerically on the compiled expression: the intercept is its value at
 * 0, each weight the change from a unit step in one metric, and the form must reproduce the
 * expression to 1e-9 (relative) at four seeded random points; anything else (`min`, `max`,
 * `log`, products of metrics, a non-finite value at 0) is non-linear.
 *
 * @example
 * ```ts
 * import { linearForm } from "./objective.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const m = (name: string, definition?: string) => ({
 *   name, direction: "minimize" as const, lower: 0, upper: 9, ...(definition ? { definition } : {}),
 * });
 * const metrics = [m("a"), m("b"), m("avg", "mean(a, b)")];
 * assertEquals(linearForm("avg", metrics)?.terms, [{ metric: "a", weight: 0.5 }, { metric: "b", weight: 0.5 }]);
 * assertEquals(linearForm("max(a, b)", metrics), undefined);
 * ```
 * @param expression The objective (a metric name or an expression).
 * @param metrics The table's metrics, with their definitions.
 * @returns The affine form over metrics without a definition, or undefined.
 * @throws {TypeError} When the expression or a definition does not compile, or definitions
 * refer to each other in a cycle.
 */
export function linearForm(
  expression: string,
  metrics: readonly MetricInfo[],
): LinearForm | undefined {
  let forms = linearForms.get(metrics);
  if (!forms) linearForms.set(metrics, forms = new Map());
  if (!forms.has(expression)) forms.set(expression, linearFormOf(expression, metrics));
  return forms.get(expression);
}

/**
 * The linear forms found so far, by metric list (a table's, the same array for every cell of a
 * process) and expression: every cell's context asks for its objective's form, and on
 * olmix/superswarm-bpb finding it takes 111 evaluations of a 110-metric definition.
 */
const linearForms = new WeakMap<readonly MetricInfo[], Map<string, LinearForm | undefined>>();

function linearFormOf(
  expression: string,
  metrics: readonly MetricInfo[],
): LinearForm | undefined {
  const names = metrics.map((m) => m.name);
  const objective = compileObjective(expression, names);
  const defined = new Map<string, Objective>();
  for (const m of metrics) {
    if (m.definition !== undefined) defined.set(m.name, compileObjective(m.definition, names));
  }
  // Leaves: metrics without a definition reached from the objective through definitions.
  const leaves: string[] = [];
  const visit = (name: string, path: readonly string[]): void => {
    if (path.includes(name)) {
      throw new TypeError(`Metric definitions form a cycle: ${[...path, name].join(" → ")}`);
    }
    const d = defined.get(name);
    if (!d) {
      if (!leaves.includes(name)) leaves.push(name);
      return;
    }
    for (const u of d.metrics) visit(u, [...path, name]);
  };
  for (const u of objective.metrics) visit(u, []);
  const value = (leaf: readonly number[]): number => {
    const scope: Record<string, number> = {};
    leaves.forEach((name, k) => (scope[name] = leaf[k]!));
    const get = (name: string): number => {
      if (!(name in scope)) {
        const d = defined.get(name)!;
        for (const u of d.metrics) get(u);
        scope[name] = d.evaluate(scope);
      }
      return scope[name]!;
    };
    for (const u of objective.metrics) get(u);
    return objective.evaluate(scope);
  };
  const zero = leaves.map(() => 0);
  const intercept = value(zero);
  if (!Number.isFinite(intercept)) return undefined;
  const weights = leaves.map((_, k) => value(zero.map((_, j) => (j === k ? 1 : 0))) - intercept);
  if (!weights.every(Number.isFinite)) return undefined;
  const rng = new Rng(20261201);
  for (let trial = 0; trial < 4; trial++) {
    const x = leaves.map(() => 0.5 + 1.5 * rng.next());
    const got = value(x);
    const want = x.reduce((s, xi, k) => s + weights[k]! * xi, intercept);
    if (!(Math.abs(got - want) <= 1e-9 * (1 + Math.abs(got)))) return undefined;
  }
  return {
    intercept,
    terms: leaves.flatMap((metric, k) => weights[k] === 0 ? [] : [{ metric, weight: weights[k]! }]),
  };
}
