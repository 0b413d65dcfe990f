/**
 * The any-language bridge: a method written in any language runs as a subprocess that speaks
 * the versioned JSON-lines protocol {@linkcode BRIDGE_PROTOCOL} on stdin/stdout (one JSON object
 * per line each way; the program logs on stderr). The adapter turns such a program into a
 * {@linkcode MethodFactory}, so that the harness runs it like any TypeScript method.
 *
 * Messages (JSON Schemas in `bench/bridge/schema/`):
 * - `init` (the task context as a TypeScript method receives it, minus the RNG object, plus the
 *   cell's seed and the seed of the method's random stream) → `ready`
 * - `ask` (budget state) → `proposals`
 * - `tell` (observations) → `ok`
 * - `recommend` → `recommendation`
 * - `fit` (training examples; Predict track, after an `init` whose `track` is `predict`) → `ok`
 * - `predict` (mixtures) → `predictions`
 * - `hello` (sent alone, when the bench plans its cells) → `hello` (`fit`: whether the program
 *   serves the Predict track; `description`)
 * - `shutdown` (no answer; the program exits)
 * - any request → `error` (the cell fails with the program's message)
 *
 * A program that crashes, exits early, writes a line that is not JSON or not the expected answer,
 * or does not answer a call before the cell's time limit has passed (per call, counted from the
 * program's start; before the scheduler's hard limit) fails its cell with the reason, and is
 * killed. The program runs outside Deno's permission sandbox: the cell process may start exactly
 * that program (`--allow-run=<program>`), in a process group that is killed with the cell.
 *
 * @module
 */

import type {
  Example,
  Method,
  MethodContext,
  MethodFactory,
  Recommendation,
} from "../../core/method.ts";
import type { Mixture, Observation, Proposal } from "../../core/types.ts";
import type { AsyncFitter } from "../../harness/predict.ts";
import { deriveSeed } from "../../numerics/rng.ts";

/** Version of the bridge protocol, sent in `init`; a program should refuse another major. */
export const BRIDGE_PROTOCOL = "mixbench.bridge/1";

/** Prefix of a bridged method's spec: `cmd:<command line>`. */
export const COMMAND_PREFIX = "cmd:";

/** A parsed `cmd:` spec. */
export interface CommandSpec {
  /** The program (first word): the only one the cell process may start. */
  readonly program: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** The method id in results lines: `cmd:<basename of the script, else of the program>`. */
  readonly id: string;
  /** The command line as given. */
  readonly command: string;
}

/**
 * Whether a method spec names a bridged command.
 *
 * @param spec A `--methods` entry.
 * @returns True for `cmd:…`.
 */
export function isCommandSpec(spec: string): boolean {
  return spec.startsWith(COMMAND_PREFIX);
}

/**
 * Parses `cmd:<program> [args…]`: words split on white space, with '…' or "…" quoting (no
 * shell: no variables, globs or redirections).
 *
 * @example
 * ```ts
 * import { parseCommandSpec } from "./adapter.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const c = parseCommandSpec("cmd:python3 examples/python/random_method.py --flag");
 * assertEquals(c.program, "python3");
 * assertEquals(c.args, ["examples/python/random_method.py", "--flag"]);
 * assertEquals(c.id, "cmd:random_method.py");
 * ```
 * @param spec The spec.
 * @returns The program, its arguments and the method id.
 * @throws {RangeError} When the spec names no program or has an unclosed quote.
 */
export function parseCommandSpec(spec: string): CommandSpec {
  const command = spec.slice(COMMAND_PREFIX.length).trim();
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) words.push(m[1] ?? m[2] ?? m[3]!);
  if (
    (command.match(/"/g)?.length ?? 0) % 2 === 1 || (command.match(/'/g)?.length ?? 0) % 2 === 1
  ) {
    throw new RangeError(`--methods "${spec}": unclosed quote`);
  }
  const [program, ...args] = words;
  if (!program) throw new RangeError(`--methods "${spec}": names no program after "cmd:"`);
  if (/[,=]/.test(program)) {
    throw new RangeError(`--methods "${spec}": the program name may not contain "," or "="`);
  }
  const script = args.find((a) => !a.startsWith("-"));
  const base = (script ?? program).split("/").pop()!;
  return { program, args, id: `${COMMAND_PREFIX}${base}`, command };
}

/** A bridged program's failure (protocol, crash, timeout or its own `error` answer). */
export class BridgeError extends Error {
  /**
   * @param message What went wrong.
   * @param name `BridgeError`, `BridgeTimeoutError`, `BridgeExitError`, `BridgeProtocolError`
   * or `BridgeMethodError` (the program answered `error`).
   */
  constructor(message: string, name = "BridgeError") {
    super(message);
    this.name = name;
  }
}

/** Longest stdout line a program may write (64 MiB): beyond, the cell fails. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** One running bridged program: lines in, lines out, a timeout per call. */
class BridgeProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: (string | Error)[] = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  #stderr = "";
  #dead = false;
  readonly #label: string;
  readonly #limitMs: number;
  readonly #deadline: number;

  constructor(cmd: CommandSpec, label: string, limitMs: number) {
    this.#label = label;
    this.#limitMs = limitMs;
    this.#deadline = performance.now() + limitMs;
    try {
      this.#child = new Deno.Command(cmd.program, {
        args: [...cmd.args],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      throw new BridgeError(
        `Bridged method "${label}": cannot start "${cmd.program}": ${(e as Error).message}`,
        "BridgeExitError",
      );
    }
    this.#writer = this.#child.stdin.getWriter();
    void this.#readLines();
    void this.#readStderr();
  }

  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];

  async #readLines(): Promise<void> {
    const decoder = new TextDecoder();
    const reader = this.#child.stdout.getReader();
    this.#readers.push(reader);
    let parts: string[] = [];
    let size = 0;
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const chunk = r.value;
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
          parts.push(decoder.decode(chunk.subarray(start, nl), { stream: true }));
          this.#push(parts.join("") + decoder.decode());
          parts = [];
          size = 0;
          start = nl + 1;
        }
        if (start < chunk.length) {
          parts.push(decoder.decode(chunk.subarray(start), { stream: true }));
          size += chunk.length - start;
          if (size > MAX_LINE_BYTES) {
            this.#push(new BridgeError(`wrote a stdout line longer than 64 MiB`));
            this.kill();
            break;
          }
        }
      }
    } catch {
      // stdout cancelled
    }
    this.#ended = true;
    this.#notify();
  }

  async #readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    const reader = this.#child.stderr.getReader();
    this.#readers.push(reader);
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        this.#stderr = (this.#stderr + decoder.decode(r.value, { stream: true })).slice(-4096);
      }
    } catch {
      // stderr cancelled
    }
  }

  /**
   * Stops reading the program's output: a process it started may hold the pipes open after it
   * died, and open pipes would keep the cell process alive.
   */
  #release(): void {
    for (const r of this.#readers) r.cancel().catch(() => {});
  }

  #push(line: string | Error): void {
    if (typeof line === "string" && line.trim() === "") return;
    this.#lines.push(line);
    this.#notify();
  }

  #notify(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.();
  }

  /** The next stdout line, or undefined once stdout has ended. */
  async #next(): Promise<string | Error | undefined> {
    while (this.#lines.length === 0 && !this.#ended) {
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
    return this.#lines.shift();
  }

  /**
   * Sends a request and returns the answer of the expected type; throws a {@linkcode BridgeError}
   * (after killing the program) on anything else.
   */
  async call(message: Record<string, unknown>, expect: string): Promise<Record<string, unknown>> {
    const op = String(message.type);
    if (this.#dead) {
      throw new BridgeError(`Bridged method "${this.#label}" is no longer running`);
    }
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
    } catch {
      throw await this.#fail(await this.#exitReason(op));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = Math.max(0, this.#deadline - performance.now());
    const line = await Promise.race([
      this.#next(),
      new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), wait))),
    ]);
    clearTimeout(timer);
    if (line === "timeout") {
      throw await this.#fail(
        new BridgeError(
          `Bridged method "${this.#label}" did not answer "${op}" within the cell's time limit ` +
            `of ${this.#limitMs} ms (counted from the program's start); it was killed`,
          "BridgeTimeoutError",
        ),
      );
    }
    if (line === undefined) throw await this.#fail(await this.#exitReason(op));
    if (line instanceof Error) {
      throw await this.#fail(
        new BridgeError(`Bridged method "${this.#label}" ${line.message}`, "BridgeProtocolError"),
      );
    }
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      throw await this.#fail(this.#protocol(op, `wrote a line that is not JSON: ${clip(line)}`));
    }
    if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
      throw await this.#fail(this.#protocol(op, `answered ${clip(line)}, not a JSON object`));
    }
    const r = reply as Record<string, unknown>;
    if (r.type === "error") {
      throw await this.#fail(
        new BridgeError(
          `Bridged method "${this.#label}" answered "${op}" with an error: ${
            clip(String(r.message ?? ""), 2000)
          }`,
          "BridgeMethodError",
        ),
      );
    }
    if (r.type !== expect) {
      throw await this.#fail(
        this.#protocol(op, `answered type "${String(r.type)}", expected "${expect}"`),
      );
    }
    return r;
  }

  #protocol(op: string, what: string): BridgeError {
    return new BridgeError(
      `Bridged method "${this.#label}" ${what} (request "${op}"; stdout is for protocol ` +
        `lines only, log on stderr)`,
      "BridgeProtocolError",
    );
  }

  async #exitReason(op: string): Promise<BridgeError> {
    const status = await Promise.race([
      this.#child.status,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000)),
    ]);
    const how = status === undefined
      ? "closed its stdout"
      : `exited (${status.signal ? `signal ${status.signal}` : `code ${status.code}`})`;
    const tail = this.#stderr.trim().split("\n").slice(-5).join(" | ");
    return new BridgeError(
      `Bridged method "${this.#label}" ${how} before answering "${op}"` +
        (tail ? `; stderr: ${clip(tail, 1500)}` : ""),
      "BridgeExitError",
    );
  }

  async #fail(e: BridgeError): Promise<BridgeError> {
    this.kill();
    await this.#child.status.catch(() => {});
    // Wait briefly for the rest of stderr (the reason of a crash), then stop reading.
    await new Promise((r) => setTimeout(r, 50));
    this.#release();
    return e;
  }

  /** Kills the program. */
  kill(): void {
    this.#dead = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  /** Sends `shutdown`, waits up to 2 s for the program to exit, then kills it. */
  async close(): Promise<void> {
    if (!this.#dead) {
      try {
        await this.#writer.write(new TextEncoder().encode(`{"type":"shutdown"}\n`));
        await this.#writer.close();
      } catch {
        // already gone
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        this.#child.status.then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 2000))),
      ]);
      clearTimeout(timer);
      if (!exited) this.kill();
    }
    this.#dead = true;
    await this.#child.status.catch(() => {});
    this.#release();
  }
}

function clip(text: string, n = 200): string {
  return JSON.stringify(text.length > n ? text.slice(0, n) + "…" : text);
}

/** Options of {@linkcode bridgeFactory}. */
export interface BridgeOptions {
  /** The method id written in results lines. */
  readonly id: string;
  /** The cell's seed (sent in `init` with the seed of the method's random stream). */
  readonly seed: number;
  /**
   * The cell's time limit in ms: each call waits for its answer at most until this much time has
   * passed since the program started (the per-call timeout), then the program is killed.
   */
  readonly timeLimitMs: number;
}

/** A bridged method for one cell, and the means to end its program. */
export interface Bridge {
  /** The factory the harness runs. */
  readonly factory: MethodFactory;
  /** Ends every program the factory started (shutdown, then kill after 2 s). */
  close(): Promise<void>;
}

/**
 * The `init` message: the task context as a TypeScript method receives it (without the RNG
 * object and without oracle values), the cell's seed, and the seed of the method's random stream
 * (`deriveSeed(task, seed)`, the seed of `ctx.rng`: xoshiro128** seeded through splitmix32, see
 * numerics/rng.ts and examples/python/mixbench_bridge.py).
 *
 * @param ctx The method's context.
 * @param seed The cell's seed.
 * @param track `optimise` or `predict`.
 * @returns The message.
 */
export function initMessage(
  ctx: MethodContext,
  seed: number,
  track: "optimise" | "predict" = "optimise",
): Record<string, unknown> {
  const { rng: _rng, oracle: _oracle, ...context } = ctx;
  return {
    type: "init",
    protocol: BRIDGE_PROTOCOL,
    track,
    seed,
    rng: { algorithm: "xoshiro128**/splitmix32", seed: deriveSeed(ctx.task, seed) },
    context,
  };
}

/** What a bridged program says of itself (`hello`). */
export interface BridgeHello {
  /** Serves `fit`/`predict` (the Predict track). */
  readonly fit: boolean;
  /** One line for listings. */
  readonly description: string;
  /** The program's declared version (absent when it declares none). */
  readonly version?: string;
}

/**
 * Asks a bridged program what it serves: starts it, sends `hello`, and ends it.
 *
 * @param cmd The parsed command.
 * @param timeLimitMs Longest wait for the answer.
 * @returns Its answer.
 */
export async function helloBridge(cmd: CommandSpec, timeLimitMs: number): Promise<BridgeHello> {
  const proc = new BridgeProcess(cmd, cmd.id, timeLimitMs);
  try {
    const r = await proc.call({ type: "hello", protocol: BRIDGE_PROTOCOL }, "hello");
    return {
      fit: r.fit === true,
      description: typeof r.description === "string" && r.description.trim() !== ""
        ? r.description.trim().split("\n")[0]!.slice(0, 200)
        : `Bridged command: ${cmd.command}`,
      ...(typeof r.version === "string" && r.version.trim() !== ""
        ? { version: r.version.trim().slice(0, 100) }
        : {}),
    };
  } finally {
    await proc.close();
  }
}

/**
 * A bridged program as the predictor of one Predict-track cell: `fit` starts it and sends `init`
 * (track `predict`) then `fit`; `predict` sends the mixtures of one held-out set.
 *
 * @param cmd The parsed command.
 * @param o Id, seed and time limit.
 * @returns The fitter and its closer.
 */
export function bridgeFitter(
  cmd: CommandSpec,
  o: BridgeOptions,
): { fitter: AsyncFitter; close(): Promise<void> } {
  let proc: BridgeProcess | undefined;
  const fitter: AsyncFitter = {
    async fit(examples: readonly Example[], ctx: MethodContext): Promise<void> {
      proc = new BridgeProcess(cmd, o.id, o.timeLimitMs);
      await proc.call(initMessage(ctx, o.seed, "predict"), "ready");
      await proc.call({ type: "fit", examples }, "ok");
    },
    async predict(mixtures: readonly Mixture[]): Promise<readonly number[]> {
      if (!proc) throw new BridgeError(`Bridged method "${o.id}": predict before fit`);
      const r = await proc.call({ type: "predict", mixtures }, "predictions");
      if (!Array.isArray(r.values)) {
        throw new BridgeError(
          `Bridged method "${o.id}" answered "predict" without a "values" array`,
          "BridgeProtocolError",
        );
      }
      return r.values as number[];
    },
  };
  return { fitter, close: async () => await proc?.close() };
}

/**
 * Makes a bridged program a method factory for one cell: each `create` starts the program and
 * sends `init`; every call then waits for its answer under the per-call timeout.
 *
 * @param cmd The parsed command.
 * @param o Id, seed and time limit.
 * @returns The factory and its closer.
 */
export function bridgeFactory(cmd: CommandSpec, o: BridgeOptions): Bridge {
  const started: BridgeProcess[] = [];
  const factory: MethodFactory = {
    id: o.id,
    // The bench writes the version it learnt from `hello` (or the script's hash) in each line.
    version: "bridged",
    description: `Bridged command: ${cmd.command}`,
    ranked: true,
    create(ctx: MethodContext): Method {
      const proc = new BridgeProcess(cmd, o.id, o.timeLimitMs);
      started.push(proc);
      const ready = proc.call(initMessage(ctx, o.seed), "ready");
      // Failures surface on the first call that awaits `ready`.
      ready.catch(() => {});
      return {
        async ask(state): Promise<readonly Proposal[]> {
          await ready;
          const r = await proc.call({ type: "ask", ...state }, "proposals");
          if (!Array.isArray(r.proposals)) {
            throw new BridgeError(
              `Bridged method "${o.id}" answered "ask" without a "proposals" array`,
              "BridgeProtocolError",
            );
          }
          return r.proposals as Proposal[];
        },
        async tell(observations: readonly Observation[]): Promise<void> {
          await ready;
          await proc.call({ type: "tell", observations }, "ok");
        },
        async recommend(): Promise<Recommendation> {
          await ready;
          const r = await proc.call({ type: "recommend" }, "recommendation");
          const fit = r.fit as { degenerate?: unknown; detail?: unknown } | undefined;
          return {
            mixture: r.mixture as number[],
            ...(typeof r.predicted === "number" ? { predicted: r.predicted } : {}),
            ...(fit && (fit.degenerate === "constant" || fit.degenerate === "rank-deficient")
              ? { fit: { degenerate: fit.degenerate, detail: String(fit.detail ?? "") } }
              : {}),
          };
        },
      };
    },
  };
  return {
    factory,
    close: async () => void await Promise.all(started.map((p) => p.close())),
  };
}
