/**
 * The framing of the WebAssembly binary format shared by the project's WASM emitters
 * (`gbdt/_wasm_asm.ts`, `linalg/ordered_matvec.ts`, `linalg/_simd.ts`, the surrogate kernel in
 * `runners/`): LEB128 integers (spec §5.2.2), names (§5.2.4), sections (§5.5.2) and the module
 * header (§5.5.16). The instructions themselves are encoded by `_wasm_ops.ts`.
 *
 * @module
 */

/**
 * Appends the unsigned LEB128 encoding of `v` to `out`.
 *
 * @example
 * ```ts
 * import { uleb } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(uleb(624485), [0xe5, 0x8e, 0x26]);
 * ```
 * @param v A non-negative 32-bit integer.
 * @param out The bytes to extend. @default {[]}
 * @returns `out`.
 */
export function uleb(v: number, out: number[] = []): number[] {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/**
 * Appends the signed LEB128 encoding of `v` to `out`.
 *
 * @example
 * ```ts
 * import { sleb } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(sleb(-123456), [0xc0, 0xbb, 0x78]);
 * ```
 * @param v A 32-bit integer.
 * @param out The bytes to extend. @default {[]}
 * @returns `out`.
 */
export function sleb(v: number, out: number[] = []): number[] {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * A section: its id, the byte length of its body (unsigned LEB128), the body.
 *
 * @example
 * ```ts
 * import { section } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(section(5, [1, 0, 1]), [5, 3, 1, 0, 1]);
 * ```
 * @param id The section id.
 * @param body The section's bytes.
 * @returns The section's bytes.
 */
export function section(id: number, body: readonly number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * A name: its UTF-8 byte length (unsigned LEB128), then the bytes.
 *
 * @example
 * ```ts
 * import { name } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(name("run"), [3, 0x72, 0x75, 0x6e]);
 * ```
 * @param text The name.
 * @returns Its bytes.
 */
export function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb(bytes.length), ...bytes];
}

/** The module header: the magic `\0asm` and version 1. */
export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * A module: the header, then the sections in order.
 *
 * @example
 * ```ts
 * import { section, wasmModule } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(WebAssembly.validate(wasmModule(section(5, [1, 0, 1]))), true);
 * ```
 * @param sections The sections' bytes.
 * @returns The module's bytes.
 */
export function wasmModule(...sections: readonly (readonly number[])[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([...WASM_HEADER, ...sections.flat()]);
}

/**
 * A module compiled once, on first use, from bytes made on first use.
 *
 * @example
 * ```ts
 * import { onceModule, section, wasmModule } from "./_wasm_binary.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const compile = onceModule(() => wasmModule(section(5, [1, 0, 1])));
 * assertEquals(compile(), compile());
 * ```
 * @param bytes The module's bytes.
 * @returns A function that returns the module, or undefined where the engine refuses the bytes
 * (WebAssembly SIMD missing).
 */
export function onceModule(
  bytes: () => Uint8Array<ArrayBuffer>,
): () => WebAssembly.Module | undefined {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled === undefined) {
      const b = bytes();
      compiled = WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
    }
    return compiled ?? undefined;
  };
}

/**
 * A module instantiated once, on first use, and wrapped in an object of its exports.
 *
 * @example
 * ```ts
 * import { onceInstance, section, wasmModule } from "./_wasm_binary.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const kernel = onceInstance(() => wasmModule(section(5, [1, 0, 1])), (e) => ({ e }));
 * assertEquals(kernel(), kernel());
 * ```
 * @param bytes The module's bytes.
 * @param wrap Builds the object from the instance's exports (once).
 * @returns A function that returns the object, or undefined where the engine refuses the bytes.
 */
export function onceInstance<T>(
  bytes: () => Uint8Array<ArrayBuffer>,
  wrap: (exports: WebAssembly.Exports) => T,
): () => T | undefined {
  const compile = onceModule(bytes);
  let made: T | null | undefined;
  return () => {
    if (made === undefined) {
      const module = compile();
      made = module ? wrap(new WebAssembly.Instance(module).exports) : null;
    }
    return made ?? undefined;
  };
}

/**
 * Grows a memory to at least `bytes` bytes (whole 64 KiB pages).
 *
 * @example
 * ```ts
 * import { growTo } from "./_wasm_binary.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * assertEquals(growTo(memory, 70000), true);
 * assertEquals(memory.buffer.byteLength, 131072);
 * assertEquals(growTo(memory, 70000), false);
 * ```
 * @param memory The memory.
 * @param bytes Bytes needed.
 * @returns Whether it grew: typed-array views over the old buffer must then be made again.
 */
export function growTo(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return false;
  memory.grow(Math.ceil((bytes - have) / 65536));
  return true;
}
