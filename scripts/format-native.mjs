#!/usr/bin/env node
/**
 * clang-format over the tracked C++ and CUDA sources (.clang-format at the root).
 *
 *   node scripts/format-native.mjs          rewrite the files in place
 *   node scripts/format-native.mjs --check  list files that are not formatted; exit 1 if any
 *
 * The clang-format binary comes from the `clang-format` npm package (a dev dependency),
 * so every machine formats with the same version.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const pkg = dirname(require.resolve("clang-format/package.json"));
const binary = join(pkg, "bin", `${process.platform}_${process.arch}`, process.platform === "win32" ? "clang-format.exe" : "clang-format");

const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.cpp", "*.h", "*.cu", "*.cuh"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter(Boolean);

const check = process.argv.includes("--check");
const unformatted = [];
for (const file of files) {
  const path = join(root, file);
  if (check) {
    try {
      execFileSync(binary, ["--dry-run", "--Werror", "-style=file", path], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    } catch {
      unformatted.push(file);
    }
  } else {
    execFileSync(binary, ["-i", "-style=file", path], { cwd: root });
  }
}
if (check && unformatted.length) {
  console.error(`clang-format: ${unformatted.length} file(s) not formatted (run \`npm run format\`):\n  ${unformatted.join("\n  ")}`);
  process.exit(1);
}
if (check) console.log(`clang-format: ${files.length} files formatted`);
