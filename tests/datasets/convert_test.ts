import { assertEquals } from "../_assert.ts";
import { convertAdmire } from "../../datasets/convert/admire.ts";
import { convertOlmix } from "../../datasets/convert/olmix.ts";
import { convertRegMix } from "../../datasets/convert/regmix.ts";

const root = new URL("../../", import.meta.url).pathname;
const raw = `${root}../shared/data/raw`;
const hasRaw = await Deno.stat(raw).then(() => true, () => false);

Deno.test({
  name: "convert scripts rebuild the committed tables byte for byte from ../shared/data/raw",
  ignore: !hasRaw,
  async fn() {
    const tmp = await Deno.makeTempDir();
    try {
      await convertRegMix(raw, tmp);
      await convertAdmire(raw, tmp);
      await convertOlmix(raw, tmp);
      for (const id of ["regmix_pile", "admire_ift", "olmix_superswarm", "olmix_reuse"]) {
        for (const f of ["runs.csv", "card.json", "README.md", "LICENSE"]) {
          const a = await Deno.readFile(`${tmp}/${id}/${f}`);
          const b = await Deno.readFile(`${root}datasets/${id}/${f}`);
          assertEquals(a.length === b.length && a.every((x, i) => x === b[i]), true, `${id}/${f}`);
        }
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
