/**
 * LEB128 integer encodings of the WebAssembly binary format (spec §5.2.2), shared by the
 * project's two WASM emitters (`gbdt/_wasm_asm.ts`, `linalg/ordered_matvec.ts`).
 *
 * @module
 */

/**
 * Appends the unsigned LEB128 encoding of `v` to `out`.
 *
 * @example
 * ```ts
 * import { uleb } from "./_leb128.ts";
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
 * import { sleb } from "./_leb128.ts";
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
