/** Reads an upstream CSV into a header and string rows. */

// @ts-types="@types/papaparse"
import Papa from "papaparse";

/** An upstream CSV as strings. */
export interface RawCsv {
  header: string[];
  rows: string[][];
}

/** Reads `path` and checks every row has the header's width. */
export async function readCsv(path: string): Promise<RawCsv> {
  const text = await Deno.readTextFile(path);
  const out = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), {
    delimiter: ",",
    skipEmptyLines: true,
  });
  if (out.errors.length) throw new SyntaxError(`${path}: ${out.errors[0]!.message}`);
  const [header, ...rows] = out.data;
  if (!header) throw new SyntaxError(`${path}: empty file`);
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new SyntaxError(`${path}:${i + 2}: ${r.length} cells, expected ${header.length}`);
    }
  });
  return { header, rows };
}

/** Copies a file. */
export async function copy(from: string, to: string): Promise<void> {
  await Deno.writeFile(to, await Deno.readFile(from));
}
