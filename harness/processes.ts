/**
 * Runs cells in sandboxed subprocesses: each lane is a `deno run` process with only the
 * permissions its cells need (no write, environment, subprocess, network or FFI; read access to
 * the paths given, or none; the right to start the one program of a bridged method, in a process
 * group that is killed with it), a V8 heap limit, and a JSON-lines protocol on stdin/stdout. A cell
 * that crashes its process, exits, runs out of memory or outlives its hard time limit fails
 * alone: its process is killed and replaced, and the other cells go on.
 *
 * Requests marked `fresh` (methods from outside the suite) get a process of their own that ends
 * with the cell; the others share pooled processes, one per lane. Replies arrive on lines that
 * start with the record separator U+001E, so whatever a method prints cannot be taken for a
 * reply.
 *
 * @module
 */

/** One cell for a process. */
export interface ProcessRequest {
  /** Identity of the cell (for messages). */
  readonly key: string;
  /** A JSON-serialisable payload the host understands. */
  readonly payload: unknown;
  /**
   * Messages the host must have seen before this cell (shared data such as a task's table),
   * each with a key; a pooled process receives each key once.
   */
  readonly preamble?: readonly { readonly key: string; readonly message: unknown }[];
  /** Run in a process of its own (untrusted code). @default {false} */
  readonly fresh?: boolean;
  /** Paths the process may read (none when empty). */
  readonly read?: readonly string[];
  /** Paths the process may write (none when empty). */
  readonly write?: readonly string[];
  /**
   * Expected cost of the cell (see `expectedCellCost` in `scheduler.ts`): cells start in
   * decreasing order of cost, ties in request order, so that the tail does not idle.
   * @default {1}
   */
  readonly cost?: number;
  /**
   * Cells that share work their process keeps (a recorded trajectory, a fitted predictor): the
   * cells of one group `key` run in one lane, back to back, in increasing `order` (ties in
   * request order), and the group starts as one unit in decreasing order of its summed cost.
   * Only the time taken changes: a cell's reply never depends on which cells ran before it in
   * its process. @default {a group of its own}
   */
  readonly group?: { readonly key: string; readonly order: number };
  /**
   * Programs the process may start (`--allow-run=<list>`; none when empty): the command of a
   * bridged method (bench/bridge/). Such a process runs in a process group of its own, and the
   * whole group is killed when the process ends, so that no program it started outlives it.
   */
  readonly run?: readonly string[];
  /**
   * The process's main module when not the options' host (an entry that imports a method's
   * module statically, so that loading it needs no permission). @default {options.hostUrl}
   */
  readonly main?: URL;
}

/** Options of {@linkcode runCellsInProcesses}. */
export interface ProcessOptions {
  /** The host module (the subprocess's main module). */
  readonly hostUrl: URL;
  /** The deno.json the host runs with (import map of npm packages). */
  readonly config: string;
  /** Number of lanes (processes at a time). */
  readonly concurrency: number;
  /** Hard limit per cell in ms, after which its process is killed. */
  readonly hardLimitMs: number;
  /** V8 heap limit of a process in MiB. @default {4096} */
  readonly heapMiB?: number;
  /**
   * Called with each cell's reply (or the failure built by `onFailure`), one call at a time in
   * the order the replies arrive; a lane goes on to its next cell without waiting for it (a
   * flushed write of the line is not the lane's time).
   */
  readonly onResult: (request: ProcessRequest, reply: unknown) => void | Promise<void>;
  /** Builds the reply of a cell whose process was killed or died. */
  readonly onFailure: (request: ProcessRequest, error: Error) => unknown;
  /**
   * Processes started ahead ({@linkcode startHosts}, with the same host module, configuration
   * and heap limit): each lane's first process, while they last; the rest are closed.
   */
  readonly warm?: WarmHosts;
}

/** A running host process. */
class Host {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #seen = new Set<string>();
  readonly #replies: unknown[] = [];
  #waiting: ((v: unknown) => void) | undefined;
  readonly #stderr: string[] = [];
  #group = false;
  readonly exited: Promise<Deno.CommandStatus>;
  readonly read: string;
  readonly run: string;
  readonly main: string;
  /** Resolves when stdout has ended (every reply read). */
  readonly drained: Promise<void>;
  /** Resolves when the host has loaded its modules and waits for messages. */
  readonly ready: Promise<void>;
  #ready!: () => void;

  constructor(
    o: ProcessOptions,
    read: readonly string[],
    write: readonly string[],
    run: readonly string[],
    main: URL,
  ) {
    this.read = `${read.join(",")}|${write.join(",")}`;
    this.run = run.join(",");
    this.main = main.href;
    const args = [
      "run",
      "--no-prompt",
      "--quiet",
      `--config=${o.config}`,
      `--v8-flags=--max-old-space-size=${o.heapMiB ?? 4096}`,
      ...(read.length > 0 ? [`--allow-read=${read.join(",")}`] : []),
      ...(write.length > 0 ? [`--allow-write=${write.join(",")}`] : []),
      ...(run.length > 0 ? [`--allow-run=${run.join(",")}`] : []),
      main.pathname,
    ];
    this.#child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...denoDirEnv() },
      // A process that may start programs leads a process group of its own (setsid): killing
      // the group reaps whatever it started.
      ...(run.length > 0 ? { detached: true } : {}),
    }).spawn();
    this.ready = new Promise((resolve) => (this.#ready = resolve));
    this.#group = run.length > 0;
    this.#writer = this.#child.stdin.getWriter();
    this.exited = this.#child.status;
    this.drained = this.#readReplies().catch(() => {});
    void this.#readStderr();
  }

  async #readReplies(): Promise<void> {
    // Bytes of the current line, kept as chunks: a reply may be many megabytes (a method's long
    // error message), and re-scanning a growing string for each chunk would be quadratic.
    let parts: Uint8Array[] = [];
    for await (const chunk of this.#child.stdout) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, nl));
        this.#line(parts);
        parts = [];
        start = nl + 1;
      }
      if (start < chunk.length) parts.push(chunk.slice(start));
    }
  }

  /** Handles one complete stdout line: a reply when it starts with U+001E. */
  #line(parts: readonly Uint8Array[]): void {
    if (parts.length === 0 || parts[0]!.length === 0 || parts[0]![0] !== 0x1e) return;
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) bytes.set(p, (off += p.length) - p.length);
    let reply: unknown;
    try {
      reply = JSON.parse(new TextDecoder().decode(bytes.subarray(1)));
    } catch {
      return;
    }
    if ((reply as { kind?: unknown })?.kind === "ready") return this.#ready();
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w(reply);
    } else this.#replies.push(reply);
  }

  async #readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) {
      this.#stderr.push(decoder.decode(chunk, { stream: true }));
      // Keep the last 64 KiB: enough to name an out-of-memory or an uncaught error.
      while (this.#stderr.join("").length > 65536) this.#stderr.shift();
    }
  }

  /** The end of the process's stderr. */
  stderr(): string {
    return this.#stderr.join("");
  }

  /** Sends one message. */
  async send(message: unknown): Promise<void> {
    await this.sendBytes(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  }

  /** Sends one message already encoded (a JSON line). */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /**
   * Sends the preamble messages this process has not seen yet, each encoded once per run
   * (`encoded`, by key: a table goes to every lane's process).
   */
  async prepare(req: ProcessRequest, encoded: Map<string, Uint8Array>): Promise<void> {
    for (const p of req.preamble ?? []) {
      if (this.#seen.has(p.key)) continue;
      let bytes = encoded.get(p.key);
      if (!bytes) {
        bytes = new TextEncoder().encode(JSON.stringify(p.message) + "\n");
        encoded.set(p.key, bytes);
      }
      await this.sendBytes(bytes);
      this.#seen.add(p.key);
    }
  }

  /** A reply that arrived and was not taken, if any. */
  buffered(): unknown {
    return this.#replies.shift();
  }

  /** The next reply. */
  reply(): Promise<unknown> {
    if (this.#replies.length > 0) return Promise.resolve(this.#replies.shift());
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  /**
   * Ends the process. A process group (a process that may start programs) is killed whole, at
   * once: its cell has replied or failed, and a program it started may still hold its pipes.
   */
  async close(kill = false): Promise<void> {
    if (this.#group) {
      this.#killGroup();
    } else {
      try {
        if (kill) this.#child.kill("SIGKILL");
        else await this.#writer.close();
      } catch {
        // already gone
      }
    }
    await this.exited.catch(() => {});
    if (this.#group) this.#killGroup();
  }

  /** Kills the process group the process leads (nothing when it is already empty). */
  #killGroup(): void {
    try {
      Deno.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // the group is empty
    }
  }
}

/**
 * Cell processes started before their run is planned (while the bench loads its tables), with
 * no read, write or run permission and the options' host module: the access a replay cell of a
 * built-in method needs. {@linkcode runCellsInProcesses} gives one to each lane as its first
 * process (a lane whose first cell needs other access closes it and starts its own) and closes
 * the ones no lane took.
 */
export class WarmHosts {
  /** Whether no host is left to take. */
  get empty(): boolean {
    return (warm.get(this) ?? []).length === 0;
  }

  /** Ends the hosts no run took. */
  async close(): Promise<void> {
    const hosts = warm.get(this) ?? [];
    warm.set(this, []);
    await Promise.all(hosts.map((h) => h.close()));
  }
}

const warm = new WeakMap<WarmHosts, Host[]>();

/**
 * Starts `count` cell processes for a later {@linkcode runCellsInProcesses} with the same host
 * module, configuration and heap limit (see {@linkcode WarmHosts}).
 *
 * @param options The run's host module, configuration and heap limit.
 * @param count How many processes (the run's lanes).
 * @returns The started processes.
 */
export function startHosts(
  options: Pick<ProcessOptions, "hostUrl" | "config" | "heapMiB">,
  count: number,
): WarmHosts {
  const out = new WarmHosts();
  const o = { ...options, concurrency: count } as ProcessOptions;
  warm.set(out, Array.from({ length: count }, () => new Host(o, [], [], [], options.hostUrl)));
  return out;
}

/** How long a cell process may take to load its modules before it counts as failed. */
const STARTUP_LIMIT_MS = 120_000;

/** The environment a host needs to find Deno's module cache (nothing else is passed on). */
function denoDirEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["DENO_DIR", "HOME", "XDG_CACHE_HOME", "PATH"]) {
    const v = Deno.env.get(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * Why a process ended without replying: its exit code, an out-of-memory, or the last line of
 * an uncaught error.
 */
function deathReason(status: Deno.CommandStatus, stderr: string, heapMiB: number): Error {
  if (/out of memory|Reached heap limit|allocation failed/i.test(stderr)) {
    return Object.assign(
      new Error(`Cell ran out of memory (V8 heap limit ${heapMiB} MiB); its process was ended`),
      { name: "OutOfMemoryError" },
    );
  }
  const uncaught = /error: (Uncaught .*)/.exec(stderr);
  if (uncaught) {
    return Object.assign(new Error(`${uncaught[1]!.slice(0, 2000)}`), { name: "UncaughtError" });
  }
  const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
  return Object.assign(new Error(`Cell's process exited (${how}) before finishing`), {
    name: "ProcessExitError",
  });
}

/**
 * Runs every request and resolves once all have replied.
 *
 * @param requests Cells to run, in the order they are started.
 * @param options Host module, lanes, limits and callbacks.
 */
export async function runCellsInProcesses(
  requests: readonly ProcessRequest[],
  options: ProcessOptions,
): Promise<void> {
  const queue = scheduleGroups(requests);
  const encoded = new Map<string, Uint8Array>();
  // The replies' callbacks, chained: one at a time, in arrival order, off the lanes' path.
  let results: Promise<void> = Promise.resolve();
  // The first error a callback threw: the lanes start no further cell, and the run throws it.
  let stopped: { error: unknown } | undefined;
  const heap = options.heapMiB ?? 4096;
  const n = Math.max(1, Math.min(options.concurrency, queue.length));
  const lane = async () => {
    let host: Host | undefined = options.warm ? warm.get(options.warm)?.shift() : undefined;
    try {
      for (let unit = queue.shift(); unit !== undefined && !stopped; unit = queue.shift()) {
        for (const req of unit) {
          const read = [...(req.read ?? [])].sort();
          const write = [...(req.write ?? [])].sort();
          const run = [...(req.run ?? [])].sort();
          const main = req.main ?? options.hostUrl;
          const access = `${read.join(",")}|${write.join(",")}`;
          if (
            host &&
            (req.fresh || host.read !== access || host.run !== run.join(",") ||
              host.main !== main.href)
          ) {
            await host.close();
            host = undefined;
          }
          host ??= new Host(options, read, write, run, main);
          const h = host;
          let timer: ReturnType<typeof setTimeout> | undefined;
          // Start-up (loading the host's modules) and the transfer of the cell's table are not
          // the cell's time: its hard limit starts when its payload is sent.
          const started = await Promise.race([
            h.ready.then(() => h.prepare(req, encoded)).then(() => "ready" as const),
            h.exited.then((status) => ({ status })),
            new Promise<"late">((resolve) => {
              timer = setTimeout(() => resolve("late"), STARTUP_LIMIT_MS);
            }),
          ]).catch(async () => ({ status: await h.exited }));
          clearTimeout(timer);
          const outcome = started === "ready"
            ? await Promise.race([
              (async () => {
                await h.send(req.payload);
                return { reply: await h.reply() };
              })().catch((e: unknown) => ({ died: e })),
              h.exited.then((status) => ({ status })),
              new Promise<{ timeout: true }>((resolve) => {
                timer = setTimeout(() => resolve({ timeout: true }), options.hardLimitMs);
              }),
            ])
            : started === "late"
            ? { startup: true as const }
            : started;
          clearTimeout(timer);
          let reply: unknown;
          if ("reply" in outcome) {
            reply = outcome.reply;
            if (req.fresh) {
              await h.close();
              host = undefined;
            }
          } else if (
            "status" in outcome && (await h.drained, (reply = h.buffered()) !== undefined)
          ) {
            // The process replied, then ended (a fresh process closing): the reply stands.
            await h.close();
            host = undefined;
          } else {
            await h.close(true);
            host = undefined;
            const error = "startup" in outcome
              ? Object.assign(
                new Error(
                  `Cell process did not start within ${STARTUP_LIMIT_MS / 1000} s: ${
                    h.stderr().slice(-500) || "no output"
                  }`,
                ),
                { name: "ProcessStartError" },
              )
              : "timeout" in outcome
              ? Object.assign(
                new Error(`Cell exceeded its hard time limit of "${options.hardLimitMs}" ms`),
                { name: "TimeLimitError" },
              )
              : deathReason(
                "status" in outcome ? outcome.status : await h.exited,
                h.stderr(),
                heap,
              );
            reply = options.onFailure(req, error);
          }
          const r = reply;
          results = results.then(() => stopped ? undefined : options.onResult(req, r)).catch(
            (error: unknown) => void (stopped ??= { error }),
          );
        }
      }
    } finally {
      await host?.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, lane));
  } finally {
    await options.warm?.close();
    await results;
  }
  if (stopped) throw stopped.error;
}

/**
 * The units a lane takes, in start order: each group's cells (in increasing `group.order`,
 * ties in request order) or a lone cell, longest summed cost first; the sorts are stable, so
 * equal costs keep the order of their first request. Results do not depend on the order (each
 * cell's randomness comes from its own seed).
 *
 * @example
 * ```ts
 * import { scheduleGroups } from "./processes.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const units = scheduleGroups([
 *   { key: "a", payload: 0, cost: 2 },
 *   { key: "b", payload: 0, cost: 1, group: { key: "g", order: 1 } },
 *   { key: "c", payload: 0, cost: 2, group: { key: "g", order: 0 } },
 * ]);
 * assertEquals(units.map((u) => u.map((r) => r.key)), [["c", "b"], ["a"]]);
 * ```
 * @param requests The cells, in request order.
 * @returns The units, longest first.
 */
export function scheduleGroups(requests: readonly ProcessRequest[]): ProcessRequest[][] {
  const units: ProcessRequest[][] = [];
  const byKey = new Map<string, ProcessRequest[]>();
  for (const req of requests) {
    if (req.group === undefined) {
      units.push([req]);
      continue;
    }
    const unit = byKey.get(req.group.key);
    if (unit) unit.push(req);
    else {
      const fresh = [req];
      byKey.set(req.group.key, fresh);
      units.push(fresh);
    }
  }
  for (const unit of units) unit.sort((a, b) => a.group!.order - b.group!.order);
  const cost = (unit: readonly ProcessRequest[]) => unit.reduce((s, r) => s + (r.cost ?? 1), 0);
  return units.map((u) => ({ u, c: cost(u) })).sort((a, b) => b.c - a.c).map(({ u }) => u);
}
