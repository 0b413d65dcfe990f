import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkSources, checkTree, cycles, importsOf } from "../../tools/layers.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("layers: the repository passes the layer check", async () => {
  assertEquals(await checkTree(root), []);
});

Deno.test("layers: a planted upward import fails with its file and line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/numerics`);
    await Deno.mkdir(`${dir}/core`);
    await Deno.writeTextFile(`${dir}/core/types.ts`, "export type X = number;\n");
    await Deno.writeTextFile(
      `${dir}/numerics/rng.ts`,
      '// a comment\nimport type { X } from "../core/types.ts";\nexport const y: X = 1;\n',
    );
    const found = await checkTree(dir);
    assertEquals(found.map((v) => `${v.file}:${v.line}`), ["numerics/rng.ts:2"]);
    assertEquals(found[0]!.message.startsWith("numerics may not import core"), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("layers: methods may share _ helpers but not import each other", () => {
  const v = checkSources(
    new Map([
      ["methods/a.ts", 'import { h } from "./_h.ts";\nimport { b } from "./b.ts";\n'],
      ["methods/_h.ts", "export const h = 1;\n"],
      ["methods/b.ts", "export const b = 1;\n"],
      ["methods/mod.ts", 'import { b } from "./b.ts";\n'],
    ]),
  );
  assertEquals(v.map((x) => `${x.file}:${x.line}`), ["methods/a.ts:2"]);
});

Deno.test("layers: reports may not import the harness; runners may not import methods", () => {
  const v = checkSources(
    new Map([
      ["reports/x.ts", 'import type { L } from "../harness/cell.ts";\n'],
      ["runners/y.ts", 'const m = await import("../methods/uniform.ts");\n'],
    ]),
  );
  assertEquals(v.map((x) => `${x.file}:${x.line}`), ["reports/x.ts:1", "runners/y.ts:1"]);
});

Deno.test("layers: cycles are found, type-only imports included; doc examples ignored", () => {
  const v = checkSources(
    new Map([
      ["runners/a.ts", 'import type { B } from "./b.ts";\nexport type A = 1;\n'],
      [
        "runners/b.ts",
        '/**\n * ```ts\n * import { z } from "./c.ts";\n * ```\n */\nimport type { A } from "./a.ts";\n',
      ],
      ["runners/c.ts", 'import { w } from "../core/x.ts";\n'],
    ]),
  );
  assertEquals(v.map((x) => `${x.file}:${x.line}: ${x.message}`), [
    "runners/a.ts:1: import cycle: runners/a.ts → runners/b.ts → runners/a.ts",
  ]);
  assertEquals(cycles(importsOf("core/x.ts", 'import "./x.ts";\n')), [["core/x.ts"]]);
});

Deno.test("layers: workers and dynamic imports count as dependencies", () => {
  const edges = importsOf(
    "bench/b.ts",
    'new Worker(new URL("./worker.ts", import.meta.url));\nawait import("../runners/x.ts");\n',
  );
  assertEquals(edges.map((e) => `${e.line}:${e.to}`), ["1:bench/worker.ts", "2:runners/x.ts"]);
});
