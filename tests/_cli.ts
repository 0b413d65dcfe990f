/** Runs the mixbench CLI in a subprocess, for the CLI tests. */

const root = new URL("../", import.meta.url).pathname;

/**
 * Runs `deno run -A cli.ts ...args` from the repository root.
 *
 * @param args The command and its arguments.
 * @returns The exit code, stdout and stderr.
 */
export async function cli(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
