/** Version of the suite, written into every results line (kept equal to deno.json's). */
export const SUITE_VERSION = "0.1.0";
