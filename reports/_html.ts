/**
 * HTML helpers of the report: escaping, number formatting, tables, and figure slots that register
 * their figure for plotting and carry the counts a browser test checks.
 *
 * @module
 */

import type { Figure } from "./figures.ts";

/** Escapes text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A number with `d` decimals; "∞" / "−∞" for infinities, "—" for NaN and for the `null` that JSON
 * makes of a non-finite number in a results file.
 */
export function fmt(x: number | null, d = 3): string {
  if (x === null || Number.isNaN(x)) return "—";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "−∞";
  return x.toFixed(d);
}

/** A budget share as a fraction string: 1, 1/2, 1/4, … */
export function share(f: number): string {
  if (f === 1) return "1";
  const inv = 1 / f;
  return Math.abs(inv - Math.round(inv)) < 1e-9 ? `1/${Math.round(inv)}` : f.toPrecision(3);
}

/** A table from header cells and rows of HTML cell contents (numbers right-aligned). */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (c: string) =>
    /^[−\-\d.∞—≥>\s[\],/%×]+$/.test(c) && c.trim() !== ""
      ? `<td class="n">${c}</td>`
      : `<td>${c}</td>`;
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${
    rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("")
  }</table>`;
}

/** Collects the figures of a report while its sections are rendered. */
export class FigureSink {
  readonly figures: Figure[] = [];
  #next = 0;

  /**
   * Registers a figure and returns its slot: the plot element (with its expected counts as
   * `data-*` attributes) and the caption.
   */
  slot(fig: Figure, caption: string): string {
    this.figures.push(fig);
    const e = fig.expect;
    return `<figure><div id="${fig.id}" class="plot" data-traces="${e.traces}" data-heatmaps="${e.heatmaps}" data-points="${e.points}"></div>
<figcaption class="cap">${esc(caption)}</figcaption></figure>`;
  }

  /** A fresh figure id. */
  id(prefix: string): string {
    return `${prefix}-${this.#next++}`;
  }
}
