/**
 * The layer check: maps every source file to its layer, rejects imports that point upward or
 * sideways where the design forbids them, and rejects import cycles. Run by `deno task ok` and
 * CI (`deno task layers`); prints `file:line: why` for each violation and exits 1.
 *
 * The layers, lowest first (design.md, "Layout"):
 *
 * | layer      | may import                                                                  |
 * | ---------- | --------------------------------------------------------------------------- |
 * | `numerics` | numerics only (a leaf: nothing else of the project)                         |
 * | `core`     | core, numerics                                                              |
 * | `datasets` | datasets, core, numerics                                                    |
 * | `methods`  | core, numerics; in methods/ only `_` helpers (the registry `mod.ts` aside) |
 * | `runners`  | runners, core, numerics                                                     |
 * | `inference`| inference, core, numerics (BPE merge lists → mixture proportions; texts are handed in) |
 * | `harness`  | harness, core, numerics (methods and runners are handed in)                 |
 * | `reports`  | reports, core, numerics (they read results files, never live objects)       |
 * | `bench`    | everything above (bench, reproduce, validate, merge, the surrogate build)   |
 * | top        | `cli.ts`, `cli/`, `mod.ts`: anything                                        |
 *
 * Files under `tests/`, `tools/` and `examples/` are not checked. Type-only imports count (they
 * make the same coupling, and the same cycles, to a reader). Imports inside comments (doc
 * examples) do not count. Dependencies are found in `import`/`export … from`, `import("…")` and
 * `new URL("…", import.meta.url)` (workers and assets).
 *
 * @module
 */

/** A layer of the source tree. */
export type Layer =
  | "numerics"
  | "core"
  | "datasets"
  | "methods"
  | "runners"
  | "inference"
  | "harness"
  | "reports"
  | "bench"
  | "top";

/** What each layer may import (itself included). */
export const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  numerics: ["numerics"],
  core: ["core", "numerics"],
  datasets: ["datasets", "core", "numerics"],
  methods: ["methods", "core", "numerics"],
  runners: ["runners", "core", "numerics"],
  inference: ["inference", "core", "numerics"],
  harness: ["harness", "core", "numerics"],
  reports: ["reports", "core", "numerics"],
  bench: [
    "bench",
    "reports",
    "harness",
    "inference",
    "runners",
    "methods",
    "datasets",
    "core",
    "numerics",
  ],
  top: [
    "top",
    "bench",
    "reports",
    "harness",
    "inference",
    "runners",
    "methods",
    "datasets",
    "core",
    "numerics",
  ],
};

const UNCHECKED = ["tests/", "tools/", "examples/", "node_modules/", "out/", "."];

/**
 * The layer of a source file, by its path relative to the repository root; `undefined` for files
 * that are not checked (tests, tools, examples).
 *
 * @example
 * ```ts
 * import { layerOf } from "./layers.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(layerOf("numerics/gp/gp.ts"), "numerics");
 * assertEquals(layerOf("cli.ts"), "top");
 * assertEquals(layerOf("tests/core/task_test.ts"), undefined);
 * ```
 * @param path Path relative to the repository root, with `/` separators.
 * @returns The layer, or undefined.
 */
export function layerOf(path: string): Layer | undefined {
  if (UNCHECKED.some((p) => path.startsWith(p))) return undefined;
  const head = path.split("/")[0]!;
  if (!path.includes("/") || head === "cli") return "top";
  return (head in ALLOWED && head !== "top") ? head as Layer : undefined;
}

/** One import of a source file. */
export interface ImportEdge {
  /** The importing file (relative to the root). */
  readonly from: string;
  /** 1-based line of the import. */
  readonly line: number;
  /** The imported file (relative to the root). */
  readonly to: string;
}

/** One violation, with where it is. */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * Replaces comments (line and block) with spaces, keeping line breaks and strings, so that
 * line numbers stay right and doc examples are not read as imports.
 */
function stripComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const d = src[i + 1];
    if (c === "/" && d === "/") {
      while (i < src.length && src[i] !== "\n") (out += " "), i++;
    } else if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (; i < stop; i++) out += src[i] === "\n" ? "\n" : " ";
    } else if (c === '"' || c === "'" || c === "`") {
      const start = i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      i++;
      out += src.slice(start, i);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const PATTERNS = [
  /\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\bnew\s+URL\s*\(\s*["']([^"']+\.ts)["']\s*,\s*import\.meta\.url\s*\)/g,
];

/**
 * The project-relative imports of one source file.
 *
 * @param file Path relative to the root.
 * @param src The file's text.
 * @returns One edge per relative import, with its line.
 */
export function importsOf(file: string, src: string): ImportEdge[] {
  const code = stripComments(src);
  const edges: ImportEdge[] = [];
  for (const re of PATTERNS) {
    for (const m of code.matchAll(re)) {
      const spec = m[1]!;
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const line = code.slice(0, m.index).split("\n").length;
      edges.push({ from: file, line, to: join(dirname(file), spec) });
    }
  }
  return edges.sort((a, b) => a.line - b.line);
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

function join(dir: string, spec: string): string {
  const parts = dir === "" ? [] : dir.split("/");
  for (const s of spec.split("/")) {
    if (s === "..") parts.pop();
    else if (s !== "." && s !== "") parts.push(s);
  }
  return parts.join("/");
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/**
 * Checks one import against the layer rules.
 *
 * @param e The import.
 * @returns Why it is forbidden, or undefined when it is allowed.
 */
export function edgeViolation(e: ImportEdge): string | undefined {
  const from = layerOf(e.from);
  if (from === undefined) return undefined;
  const to = layerOf(e.to);
  if (to === undefined) {
    return `${from} may not import ${e.to} (tests, tools and examples are not part of the suite)`;
  }
  if (!ALLOWED[from].includes(to)) {
    return `${from} may not import ${to} (${e.to}); ${from} imports ${ALLOWED[from].join(", ")}`;
  }
  if (
    from === "methods" && to === "methods" && basename(e.from) !== "mod.ts" &&
    !basename(e.to).startsWith("_")
  ) {
    return `a method may not import another method (${e.to}); share code through a _ helper`;
  }
  return undefined;
}

/**
 * Finds the import cycles of a graph (strongly connected components of more than one file, or
 * a file importing itself), each as its files in a stable order.
 *
 * @param edges Every import.
 * @returns The cycles.
 */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    adj.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  for (const root of [...adj.keys()].sort()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, next), low.set(root, next), next++, stack.push(root), on.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const ws = adj.get(v) ?? [];
      if (i < ws.length) {
        top[1]++;
        const w = ws[i]!;
        if (!index.has(w)) {
          index.set(w, next), low.set(w, next), next++, stack.push(w), on.add(w);
          work.push([w, 0]);
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || ws.includes(v)) out.push(comp.sort());
      }
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * Checks a source tree: every import against the layer rules, and the whole graph for cycles.
 *
 * @param sources Every checked file's path (relative to the root) and text.
 * @returns The violations, by file and line.
 */
export function checkSources(sources: ReadonlyMap<string, string>): Violation[] {
  const edges = [...sources].flatMap(([f, src]) => importsOf(f, src));
  const out: Violation[] = [];
  for (const e of edges) {
    const why = edgeViolation(e);
    if (why) out.push({ file: e.from, line: e.line, message: why });
  }
  for (const cyc of cycles(edges.filter((e) => layerOf(e.from) !== undefined))) {
    const first = edges.find((e) => e.from === cyc[0] && cyc.includes(e.to))!;
    out.push({
      file: first.from,
      line: first.line,
      message: `import cycle: ${cyc.join(" → ")} → ${cyc[0]}`,
    });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * Reads every `.ts` file under a root (tests, tools, examples, node_modules and dot-folders
 * skipped) and checks it.
 *
 * @param root The repository root.
 * @returns The violations.
 */
export async function checkTree(root: string): Promise<Violation[]> {
  const sources = new Map<string, string>();
  async function walk(dir: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) {
        if (e.name.startsWith(".") || layerOf(`${r}/x.ts`) === undefined) continue;
        await walk(`${dir}/${e.name}`, r);
      } else if (e.isFile && e.name.endsWith(".ts") && layerOf(r) !== undefined) {
        sources.set(r, await Deno.readTextFile(`${dir}/${e.name}`));
      }
    }
  }
  await walk(root, "");
  return checkSources(sources);
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(
      "deno task layers [ROOT]\n\nChecks that every import points down the layers (README, " +
        "Layout) and that there is no import cycle.\n\nExit codes: 0 clean; 1 violations.",
    );
    Deno.exit(0);
  }
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
  const found = await checkTree(root.replace(/\/$/, ""));
  for (const v of found) console.log(`${v.file}:${v.line}: ${v.message}`);
  if (found.length > 0) {
    console.log(`layer check: ${found.length} violation(s)`);
    Deno.exit(1);
  }
  console.log("layer check: ok");
}
