/**
 * How cells load modules: `import … from "x"` and `import("x")` in a cell end up here.
 *
 * Bare specifiers are looked up from the notebook's folder (the kernel's cwd) first, then
 * from the kernel package's own location, so a notebook can use its own `node_modules`
 * and still reach the workspace's packages (the tensor library). Resolution follows
 * Node's ESM rules for packages: the `exports` map with the `import` and `node`
 * conditions (so ESM-only packages work), else `main`, else `index.js`.
 */
import fs from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { exports as resolveExports } from "resolve.exports";
import { KERNEL_DIR } from "./own-code.js";
import { runContext } from "./run.js";

interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
}

/** Splits `@scope/name/sub/path` into the package name and `./sub/path`. */
function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const count = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, count).join("/");
  const rest = parts.slice(count).join("/");
  return { name, subpath: rest ? `./${rest}` : "." };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The files a specifier naming `base` may mean, in the order they are tried. */
function fileCandidates(base: string): string[] {
  return [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, `${base}.json`, path.join(base, "index.js"), path.join(base, "index.mjs")];
}

/** CommonJS-style file lookup for packages without `exports`. */
function resolveFile(base: string): string | undefined {
  for (const candidate of fileCandidates(base)) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function resolveInPackage(dir: string, pkg: PackageJson, subpath: string): string | undefined {
  if (pkg.exports !== undefined && pkg.exports !== null) {
    let targets: string[] | void;
    try {
      targets = resolveExports(pkg as never, subpath, { conditions: ["node", "import"] });
    } catch {
      return undefined;
    }
    const target = targets?.[0];
    return target ? path.join(dir, target) : undefined;
  }
  if (subpath === ".") return resolveFile(path.join(dir, pkg.main ?? "index.js")) ?? resolveFile(path.join(dir, "index"));
  return resolveFile(path.join(dir, subpath));
}

/**
 * Finds a bare specifier in the `node_modules` folders above `from`: the package's folder
 * (if any) and the file the specifier names in it (if it resolves).
 */
function resolveBare(specifier: string, from: string): { pkgDir: string; file: string | undefined } | undefined {
  const { name, subpath } = splitSpecifier(specifier);
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, "node_modules", name);
    const pkgFile = path.join(pkgDir, "package.json");
    if (isFile(pkgFile)) {
      let pkg: PackageJson = {};
      try {
        pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as PackageJson;
      } catch {}
      const file = resolveInPackage(pkgDir, pkg, subpath);
      return { pkgDir, file: file && isFile(file) ? file : undefined };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Where bare specifiers are looked up, in order. */
export function resolutionBases(): string[] {
  return [process.cwd(), KERNEL_DIR];
}

/**
 * Resolves a cell's import specifier to something `import()` accepts (a builtin name or a
 * `file:` URL). Throws an error with code `ERR_MODULE_NOT_FOUND` naming where it looked.
 * @example resolveCellImport("lodash-es") // "file:///notebooks/node_modules/lodash-es/lodash.js"
 */
export function resolveCellImport(specifier: string): string {
  if (isBuiltin(specifier)) return specifier.startsWith("node:") ? specifier : `node:${specifier}`;
  if (/^(file|data):/.test(specifier)) return specifier;
  if (specifier.startsWith(".") || path.isAbsolute(specifier)) {
    const file = path.resolve(process.cwd(), specifier);
    return pathToFileURL(resolveFile(file) ?? file).href;
  }
  const bases = resolutionBases();
  for (const base of bases) {
    const found = resolveBare(specifier, base);
    if (found?.file) return pathToFileURL(found.file).href;
    if (found) {
      // Node's own resolver knows cases we do not (a `require`-only export map); else the
      // package the notebook has is the one it means: never fall back to another copy.
      try {
        return pathToFileURL(createRequire(path.join(base, "noop.js")).resolve(specifier)).href;
      } catch {}
      throw moduleError(`Cannot resolve '${specifier}' in ${found.pkgDir}: no such file, or not in the package's "exports"`);
    }
  }
  for (const base of bases) {
    try {
      return pathToFileURL(createRequire(path.join(base, "noop.js")).resolve(specifier)).href;
    } catch {}
  }
  throw moduleError(`Cannot find module '${specifier}' imported from ${importer()} (looked in node_modules above ${bases.join(" and ")})`);
}

function moduleError(message: string): Error {
  const err = new Error(message) as NodeJS.ErrnoException;
  err.code = "ERR_MODULE_NOT_FOUND";
  return err;
}

/** Who imports: the cell running now (`cell In[3]`), as tracebacks name it. */
function importer(): string {
  const run = runContext.getStore();
  return run ? `cell ${run.label}` : "the notebook";
}

/**
 * The error for a relative or absolute import of a file that is not there. Node's own
 * would say it was imported from the kernel's modules.ts, which is true but useless.
 * @example missingFileError("./missing.js", "/nb/missing.js") // Cannot find module './missing.js' imported from cell In[3] (looked for /nb/missing.js)
 */
function missingFileError(specifier: string, file: string): Error {
  const others = path.extname(file) ? "" : `, and the same with .js, .mjs, .cjs, .json, /index.js or /index.mjs`;
  return moduleError(
    `Cannot find module '${specifier}' imported from ${importer()} (looked for ${file}${others}; relative imports start in the notebook's folder, ${process.cwd()})`,
  );
}

/** `import()` for cell code: resolved from the notebook folder, then from the kernel. */
export async function importForCell(specifier: unknown, options?: ImportCallOptions): Promise<unknown> {
  const text = String(specifier);
  const url = resolveCellImport(text);
  if (url.startsWith("file:") && (text.startsWith(".") || path.isAbsolute(text))) {
    const file = fileURLToPath(url);
    if (!isFile(file)) throw missingFileError(text, path.resolve(process.cwd(), text));
  }
  return options === undefined ? import(url) : import(url, options);
}

let cellRequire: { cwd: string; require: NodeJS.Require } | undefined;
/** `require` for cell code, resolving from the notebook folder (the current cwd). */
export function requireForCell(): NodeJS.Require {
  const cwd = process.cwd();
  if (cellRequire?.cwd !== cwd) cellRequire = { cwd, require: createRequire(path.join(cwd, "notebook.cjs")) };
  return cellRequire.require;
}
