import { assertEquals } from "../_assert.ts";
import { getMethod, METHODS } from "../../methods/mod.ts";

/** The rows of the README's method table (section "## Methods"): id and description. */
async function readmeMethods(): Promise<{ id: string; what: string }[]> {
  const text = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = text.split(/^## /m).find((s) => s.startsWith("Methods\n"));
  if (!section) throw new Error('README.md has no "## Methods" section');
  const rows = section.split("\n").filter((l) => /^\| `[^`]+` /.test(l));
  return rows.map((l) => {
    const cells = l.split("|").slice(1, -1).map((c) => c.trim());
    return { id: /`([^`]+)`/.exec(cells[0]!)![1]!, what: cells[cells.length - 1]! };
  });
}

Deno.test("README method table lists every registered method, once, with distinct descriptions", async () => {
  const rows = await readmeMethods();
  const ids = rows.map((r) => r.id);
  assertEquals(
    METHODS.map((m) => m.id).filter((id) => !ids.includes(id)),
    [],
    "registered methods missing from the README table",
  );
  assertEquals(ids.filter((id, i) => ids.indexOf(id) !== i), [], "ids listed twice");
  const whats = rows.map((r) => r.what);
  assertEquals(whats.filter((w, i) => whats.indexOf(w) !== i), [], "descriptions not distinct");
  // Every id in the table resolves (parameterised ids with an example argument).
  for (const id of ids) getMethod(id.replace(/<[^>]+>/, "1B"));
});

Deno.test("registered methods have distinct ids and descriptions", () => {
  const ids = METHODS.map((m) => m.id);
  assertEquals(new Set(ids).size, ids.length);
  const d = METHODS.map((m) => m.description);
  assertEquals(new Set(d).size, d.length);
});
