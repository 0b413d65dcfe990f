/** The CI leaderboard (`deno task submit`) and `validate --reproduce`. */

import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { signTest, submitMethods } from "../../bench/submit.ts";
import { reproduceCells } from "../../bench/reproduce_cells.ts";
import { InputError } from "../../core/errors.ts";
import { readResults } from "../../core/results.ts";

/**
 * A golden-sized archive (tests/testdata/archive/README.md): the suite's own archive
 * (reports/archive/<suite>/) is the full --quick bench, too large to rerun in a test.
 */
const ARCHIVE = new URL("../testdata/archive", import.meta.url).pathname;

Deno.test("signTest() is the exact two-sided binomial tail", () => {
  assertEquals(signTest(10, 0), 2 / 1024);
  assertEquals(signTest(7, 3), (2 * (1 + 10 + 45 + 120)) / 1024);
  assertEquals(signTest(3, 3), 1);
});

Deno.test({
  name: "submit runs only the new method on the archived task set and ranks it among the archive",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const r = await submitMethods({
        methods: ["temperature"],
        archive: ARCHIVE,
        out,
        workers: 2,
        timeLimitMs: 60_000,
        command: "test",
      });
      assert(r.ok, r.summary);
      const ran = await readResults(`${out}/new/results.jsonl`);
      assertEquals([...new Set(ran.map((l) => l.method))], ["temperature"]);
      const all = await readResults(`${out}/leaderboard/results.jsonl`);
      const archived = await readResults(`${ARCHIVE}/results.jsonl`);
      assertEquals(all.length, archived.length + ran.length);
      assert(/\| temperature \| \d of 7 \|/.test(r.summary), r.summary);
      // A resubmitted (changed) archived method replaces its archived lines.
      const again = await submitMethods({
        methods: ["uniform"],
        archive: ARCHIVE,
        out: `${out}/again`,
        workers: 2,
        timeLimitMs: 60_000,
        command: "test",
      });
      assert(again.ok, again.summary);
      const merged = await readResults(`${out}/again/leaderboard/results.jsonl`);
      assertEquals(merged.length, archived.length);
      // An archive of another suite version is refused.
      const meta = JSON.parse(await Deno.readTextFile(`${ARCHIVE}/run.json`));
      await Deno.mkdir(`${out}/old`);
      await Deno.writeTextFile(`${out}/old/run.json`, JSON.stringify({ ...meta, suite: "0.0.1" }));
      await assertRejects(
        () =>
          submitMethods({
            methods: ["temperature"],
            archive: `${out}/old`,
            out: `${out}/x`,
            workers: 1,
            timeLimitMs: 60_000,
            command: "test",
          }),
        InputError,
        "holds suite 0.0.1",
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "validate --reproduce reruns archived cells and finds them identical; a changed line differs",
  sanitizeResources: false,
  async fn() {
    const same = await reproduceCells(ARCHIVE, 2, 1, 2);
    assertEquals(same.map((c) => c.outcome), ["same", "same"]);
    const dir = await Deno.makeTempDir();
    try {
      const text = await Deno.readTextFile(`${ARCHIVE}/results.jsonl`);
      const lines = text.split("\n").filter((l) => l !== "");
      // Change one value in every line: the rerun must notice.
      await Deno.writeTextFile(
        `${dir}/results.jsonl`,
        lines.map((l) => l.replace(/"spent":(\d+)/, (_, n) => `"spent":${Number(n) + 1}`)).join(
          "\n",
        ) + "\n",
      );
      const changed = await reproduceCells(dir, 1, 1, 1);
      assertEquals(changed.map((c) => [c.outcome, c.detail]), [["differs", 'field "spent"']]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
