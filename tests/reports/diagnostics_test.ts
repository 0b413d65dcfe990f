import { assert, assertEquals } from "../_assert.ts";
import { runnerDiagnostics } from "../../reports/diagnostics.ts";
import { diagnosticsPanel } from "../../reports/panels.ts";
import type { ResultLine } from "../../core/results.ts";
import { lines, META } from "./_fixture.ts";

/** The fixture's fx/max lines of `good`, their final checkpoints given region records. */
function withRegion(): ResultLine[] {
  return lines().map((l) => {
    if (l.task.id !== "fx/max" || l.method !== "good" || l.checkpoints.length === 0) return l;
    const cps = [...l.checkpoints];
    const last = cps.at(-1)!;
    cps[cps.length - 1] = l.seed === 0
      ? { ...last, score: 1.25, source: { kind: "surrogate", ood: 0.9, inRegion: false } }
      : l.seed === 1
      ? { ...last, source: { kind: "table", row: 3 } }
      : {
        ...last,
        source: { kind: "surrogate", ood: 0.2, spread: 0.01, clipped: 0, inRegion: true },
      };
    return { ...l, checkpoints: cps };
  });
}

Deno.test("runner diagnostics count final recommendations in and out of the region, and scores above 1", () => {
  const rows = runnerDiagnostics(META, withRegion())!;
  const good = rows.find((r) => r.task.startsWith("fx/max") && r.method === "good")!;
  assertEquals(good.recommendations, { inRegion: 3, outOfRegion: 1, unknown: 0 });
  assertEquals(good.above1, 1);
  const plain = runnerDiagnostics(META, lines())!;
  const before = plain.find((r) => r.task.startsWith("fx/max") && r.method === "good")!;
  assertEquals(before.recommendations.unknown, 4);
  assertEquals(before.above1, 0);
  let n = 0;
  const html = diagnosticsPanel(
    rows,
    META,
    { id: (p: string) => `${p}-${n++}`, slot: () => "" } as never,
  );
  assert(html.includes("<th>in-region</th>") || html.includes("in-region"), "in-region column");
  assert(html.includes("<strong>3/4</strong>"), "an out-of-region recommendation is highlighted");
  assert(html.includes("⚠ 1"), "a score above 1 is flagged");
});
