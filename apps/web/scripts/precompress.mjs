// Writes .br and .gz beside each compressible asset of the built page, once at build time,
// so the server sends 1/4 of the bytes (a cold load through an SSH tunnel) at no CPU cost.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = new URL("../dist/assets/", import.meta.url).pathname;
const compressible = /\.(js|mjs|css|svg|json|ttf|html|txt|map)$/;
let before = 0;
let after = 0;
for (const name of readdirSync(root)) {
  const file = join(root, name);
  if (!compressible.test(name) || statSync(file).size < 1024) continue;
  const data = readFileSync(file);
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  before += data.length;
  after += br.length;
}
console.log(`precompressed assets: ${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB (brotli)`);
