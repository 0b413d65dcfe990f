/**
 * Hostile methods, loaded as `tests/testdata/hostile.ts#<export>`: each tries one attack on the
 * bench from inside a cell (tests/bench/sandbox_test.ts asserts each one's failure and that the
 * other cells' lines are unchanged).
 */

import type { MethodContext, MethodFactory } from "../../core/method.ts";

/** A method whose `ask` runs `attack` once, then queries the first pool member. */
function hostile(id: string, attack: (ctx: MethodContext) => unknown): MethodFactory {
  return {
    id,
    version: "1",
    description: `hostile: ${id}`,
    ranked: true,
    create(ctx) {
      let done = false;
      return {
        ask() {
          if (done) return [];
          done = true;
          attack(ctx);
          return [ctx.pool![0]!];
        },
        tell() {},
        recommend: () => ({ mixture: ctx.targetPool![0]! }),
      };
    },
  };
}

/** Reads /etc/passwd. */
export const readPasswd = hostile("read-passwd", () => Deno.readTextFileSync("/etc/passwd"));

/** Reads the environment. */
export const readEnv = hostile("read-env", () => Deno.env.toObject());

/** Writes into the suite's source. */
export const writeSource = hostile(
  "write-source",
  () => Deno.writeTextFileSync(new URL("../../core/version.ts", import.meta.url), "// pwned\n"),
);

/** Runs git with an alias that executes a shell command. */
export const runGit = hostile(
  "run-git",
  () => new Deno.Command("git", { args: ["-c", "alias.x=!id", "x"] }).outputSync(),
);

/** Opens a network connection. */
export const network = hostile("network", () => Deno.connect({ hostname: "127.0.0.1", port: 9 }));

/** Mutates its context's prior (the next cell's `natural` must not see it). */
export const mutatePrior = hostile("mutate-prior", (ctx) => {
  (ctx.prior as number[]).fill(0);
});

/** Throws asynchronously (an unhandled rejection), then finishes normally. */
export const asyncThrow = hostile("async-throw", () => {
  Promise.reject(new Error("rejected behind the harness's back"));
});

/** Allocates without bound. */
export const allocate = hostile("allocate", () => {
  const keep: number[][] = [];
  for (;;) keep.push(new Array(1 << 20).fill(Math.random()));
});

/** Exits the process. */
export const exit = hostile("exit", () => Deno.exit(3));

/** Throws an error whose message is 50 MB. */
export const hugeError = hostile("huge-error", () => {
  throw new Error("x".repeat(50_000_000));
});

/** Claims a built-in id. */
export const fakeUniform: MethodFactory = { ...hostile("uniform", () => {}), id: "uniform" };

/** Declares itself an oracle to receive the true values of the target pool. */
export const oracle: MethodFactory = {
  ...hostile("oracle", () => {}),
  id: "oracle-cheat",
  oracle: true,
  ranked: true,
};
