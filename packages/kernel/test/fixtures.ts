/**
 * A throwaway notebook folder with its own node_modules: an ESM-only package (its
 * package.json `exports` has only an `import` condition, so `require` cannot load it)
 * and a CommonJS one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function makeNotebookDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-kernel-test-"));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write(
    "node_modules/esm-only/package.json",
    JSON.stringify({
      name: "esm-only",
      version: "1.0.0",
      type: "module",
      exports: { ".": { import: "./lib/index.js" }, "./extra": { import: "./lib/extra.js" } },
    }),
  );
  write("node_modules/esm-only/lib/index.js", "export const greet = (n) => `hello ${n}`;\nexport default 42;\n");
  write("node_modules/esm-only/lib/extra.js", "export const extra = 'from a subpath';\n");
  write("node_modules/cjs-pkg/package.json", JSON.stringify({ name: "cjs-pkg", version: "1.0.0", main: "main.js" }));
  write("node_modules/cjs-pkg/main.js", "module.exports = { kind: 'commonjs', add: (a, b) => a + b };\n");
  write("local.mjs", "export const local = 'local module';\n");
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
