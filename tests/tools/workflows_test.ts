/**
 * The CI workflows (.github/workflows/*.yml) and the Slurm scripts (examples/slurm/) run only the
 * project's own commands: every `deno` command they run is `deno install` or a task of deno.json.
 */

import { assert, assertEquals } from "../_assert.ts";
import { parse } from "yaml";

const ROOT = new URL("../..", import.meta.url).pathname;
const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as {
  tasks: Record<string, unknown>;
};
const TASKS = new Set(Object.keys(config.tasks));

/** The `deno …` commands of a shell script (lines, `&&`, `;` and `|` split; comments dropped). */
function denoCommands(script: string): string[] {
  return script.replace(/\\\n/g, " ").split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .flatMap((l) => l.split(/&&|;|\|\|?/).map((c) => c.trim()))
    .filter((c) => /^deno(\s|$)/.test(c));
}

/** Problems with a `deno` command: anything but `deno install` or `deno task <a task>`. */
function problems(commands: readonly string[], where: string): string[] {
  return commands.flatMap((c) => {
    if (c === "deno install") return [];
    const m = /^deno task ([\w:-]+)/.exec(c);
    if (!m) return [`${where}: "${c}" is not a deno task`];
    return TASKS.has(m[1]!) ? [] : [`${where}: task "${m[1]}" is not in deno.json`];
  });
}

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

async function workflow(name: string) {
  return parse(await Deno.readTextFile(`${ROOT}/.github/workflows/${name}`)) as {
    on: unknown;
    env?: Record<string, unknown>;
    jobs: Record<
      string,
      { steps: Step[]; needs?: string; strategy?: { matrix: { shard: number[] } } }
    >;
  };
}

Deno.test("Every workflow runs only deno install and deno.json tasks", async () => {
  const files = [...Deno.readDirSync(`${ROOT}/.github/workflows`)].map((e) => e.name).sort();
  assertEquals(files, ["bench.yml", "leaderboard.yml"]);
  for (const f of files) {
    const w = await workflow(f);
    let runs = 0;
    for (const [job, j] of Object.entries(w.jobs)) {
      for (const s of j.steps) {
        if (s.run === undefined) continue;
        const cmds = denoCommands(s.run);
        assert(cmds.length > 0, `${f} ${job}: "${s.run}" runs no deno command`);
        assertEquals(problems(cmds, `${f} ${job}`), []);
        // Nothing else on the line: each run step is deno commands only.
        assertEquals(s.run.split(/&&|\n/).filter((c) => c.trim() !== "").length, cmds.length);
        runs += cmds.length;
      }
    }
    assert(runs > 0, f);
  }
});

Deno.test("leaderboard.yml checks the archive of this suite version and submits", async () => {
  const { SUITE_VERSION } = await import("../../core/version.ts");
  const w = await workflow("leaderboard.yml");
  const runs = w.jobs.leaderboard!.steps.flatMap((s) => s.run === undefined ? [] : [s.run]);
  assert(
    runs.some((r) =>
      r.startsWith(`deno task validate reports/archive/${SUITE_VERSION} --reproduce`)
    ),
  );
  assert(runs.some((r) => r.startsWith("deno task submit")));
  await Deno.stat(`${ROOT}/reports/archive/${SUITE_VERSION}/results.jsonl`);
});

Deno.test("bench.yml shards the bench over its matrix and merges every shard", async () => {
  const w = await workflow("bench.yml");
  const shards = w.jobs.shard!.strategy!.matrix.shard;
  assertEquals(shards, Array.from({ length: Number(w.env!.SHARDS) }, (_, i) => i + 1));
  const run = w.jobs.shard!.steps.map((s) => s.run ?? "").join("\n");
  assert(run.includes("--shard ${{ matrix.shard }}/${{ env.SHARDS }}"), run);
  assertEquals(w.jobs.merge!.needs, "shard");
  const merge = w.jobs.merge!.steps.map((s) => s.run ?? "").find((r) => r.includes("merge"))!;
  for (const i of shards) assert(merge.includes(`out/shards/shard-${i}`), merge);
  assert(w.jobs.shard!.steps.some((s) => s.uses?.startsWith("actions/upload-artifact")));
});

Deno.test("The Slurm scripts run a job array of shards and a dependent merge, deno tasks only", async () => {
  const dir = `${ROOT}/examples/slurm`;
  const all: string[] = [];
  for (const f of ["bench.sbatch", "merge.sbatch", "submit.sh"]) {
    const text = await Deno.readTextFile(`${dir}/${f}`);
    const cmds = denoCommands(text);
    assertEquals(problems(cmds, f), []);
    all.push(text);
  }
  const [bench, merge, submit] = all as [string, string, string];
  assert(bench.includes(`--shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"`));
  assert(denoCommands(merge).some((c) => c.startsWith("deno task merge")));
  assert(/sbatch --parsable --array=/.test(submit));
  assert(/--dependency="afterok:\$ARRAY"/.test(submit));
});
