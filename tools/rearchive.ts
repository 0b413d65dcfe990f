/**
 * Regenerates the archived lines of some methods after a deliberate change of their results
 * (a bumped method `version`): reruns those methods on the archive's tasks and seeds (the
 * archive's own `command`, restricted with `--methods`), replaces their lines in
 * `results.jsonl` and `predict.jsonl` (the other methods' lines are kept byte for byte, in the
 * archive's order), updates their entries in `run.json`, and rebuilds `leaderboard.json` and
 * `leaderboard.md` with `deno task report`. Check the result with
 * `deno task validate reports/archive/<suite>`.
 *
 * Usage: `deno run -A tools/rearchive.ts --methods dml,olmix [--archive reports/archive/0.1.0]
 * [--from DIR]` (`--from`: take the lines from a finished bench of those methods, run with the
 * archive's command, instead of running one).
 *
 * @module
 */

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const methods = (flag("methods") ?? "").split(",").filter(Boolean);
if (methods.length === 0) {
  console.error("Usage: deno run -A tools/rearchive.ts --methods a,b [--archive DIR]");
  Deno.exit(2);
}
const archive = flag("archive") ?? "reports/archive/0.1.0";
const root = new URL("..", import.meta.url).pathname;

interface RunMeta {
  command: string;
  seeds: number[];
  tasks: { id: string }[];
  predictTasks?: { id: string }[];
  methods: { id: string }[];
}

async function deno(...cmd: string[]): Promise<void> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`deno ${cmd.join(" ")} exited with ${code}`);
}

const meta = JSON.parse(await Deno.readTextFile(`${archive}/run.json`)) as RunMeta;
const known = new Set(meta.methods.map((m) => m.id));
for (const m of methods) {
  if (!known.has(m)) throw new Error(`Method "${m}" has no lines in ${archive}`);
}
const from = flag("from");
const fresh = from ?? await Deno.makeTempDir({ prefix: "mixbench-rearchive-" });
try {
  const tasks = [...meta.tasks, ...(meta.predictTasks ?? [])].map((t) => t.id);
  if (!from) {
    await deno(
      "run",
      "-A",
      "cli.ts",
      "bench",
      ...(meta.command.includes("--quick") ? ["--quick"] : []),
      "--seeds",
      `${meta.seeds.length}`,
      "--tasks",
      tasks.join(","),
      "--methods",
      methods.join(","),
      "--out",
      fresh,
      "--no-report",
    );
  }
  const newMeta = JSON.parse(await Deno.readTextFile(`${fresh}/run.json`)) as RunMeta;
  for (const file of ["results.jsonl", "predict.jsonl"]) {
    const read = async (dir: string) => {
      try {
        return (await Deno.readTextFile(`${dir}/${file}`)).split("\n").filter(Boolean);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw e;
      }
    };
    const key = (l: string) => {
      const j = JSON.parse(l) as { task: string | { id: string }; method: string; seed: number };
      const task = typeof j.task === "string" ? j.task : j.task.id;
      return `${task}|${j.method}|${j.seed}`;
    };
    const replacement = new Map((await read(fresh)).map((l) => [key(l), l]));
    const lines = (await read(archive)).map((l) => {
      if (!methods.includes(JSON.parse(l).method)) return l;
      const r = replacement.get(key(l));
      if (!r) throw new Error(`${file}: the rerun has no line for ${key(l)}`);
      replacement.delete(key(l));
      return r;
    });
    if (replacement.size > 0) {
      throw new Error(`${file}: the rerun has lines the archive lacks: ${[...replacement.keys()]}`);
    }
    if (lines.length > 0) await Deno.writeTextFile(`${archive}/${file}`, lines.join("\n") + "\n");
  }
  meta.methods = meta.methods.map((m) =>
    methods.includes(m.id) ? newMeta.methods.find((n) => n.id === m.id)! : m
  );
  await Deno.writeTextFile(`${archive}/run.json`, JSON.stringify(meta, null, 2) + "\n");
  // The report is written into a copy (report.html is not archived).
  const board = await Deno.makeTempDir({ prefix: "mixbench-rearchive-board-" });
  try {
    for (const f of ["run.json", "results.jsonl", "predict.jsonl"]) {
      await Deno.copyFile(`${archive}/${f}`, `${board}/${f}`);
    }
    await deno("run", "-A", "cli.ts", "report", board);
    for (const f of ["leaderboard.json", "leaderboard.md"]) {
      await Deno.copyFile(`${board}/${f}`, `${archive}/${f}`);
    }
  } finally {
    await Deno.remove(board, { recursive: true });
  }
  console.log(`${archive}: lines of ${methods.join(", ")} regenerated`);
} finally {
  if (!from) await Deno.remove(fresh, { recursive: true });
}
