import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { ContentsError, fsError, isErrno, quotePath } from "./contents-error.js";

/** A contents path checked against the root. */
export interface JailedPath {
  /** Normalized API path: "/"-separated, relative to the root, "" for the root itself. */
  path: string;
  /**
   * The entry itself on disk: its parent directory fully resolved (inside the root), its
   * own name not followed. For operations on the entry: delete, rename, lstat.
   */
  entryPath: string;
  /** The target with every symlink resolved, inside the root: for reads and writes. */
  realPath: string;
}

/**
 * Splits an API path into its names, refusing anything that could leave the root.
 * A trailing "/" and doubled "/" inside are dropped, as Jupyter does; a leading "/"
 * (an absolute path), "." and ".." names and NUL bytes are refused.
 *
 * @example
 * apiPathSegments("notes/a b.ipynb"); // ["notes", "a b.ipynb"]
 * apiPathSegments("../etc/passwd");   // throws ContentsError 404
 */
export function apiPathSegments(path: string): string[] {
  if (typeof path !== "string") throw new ContentsError(400, "A path must be a string");
  if (path.includes("\0")) throw new ContentsError(400, `Path contains a NUL byte: ${quotePath(path)}`);
  if (path.startsWith("/") && path.replace(/\/+$/, "") !== "") {
    throw new ContentsError(404, "Absolute paths are not allowed; paths are relative to the root directory");
  }
  const segments = path.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === "." || s === "..") {
      throw new ContentsError(404, `Path is outside the root directory: ${quotePath(path)}`);
    }
  }
  return segments;
}

/** Normalizes an API path ("a//b/" → "a/b"), refusing escapes (see apiPathSegments). */
export function normalizeApiPath(path: string): string {
  return apiPathSegments(path).join("/");
}

/** The parent directory of a normalized API path ("" for top-level names). */
export function apiDirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** The last name of a normalized API path ("" for the root). */
export function apiBasename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins a directory API path and a name. */
export function apiJoin(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/**
 * Maps API paths to disk paths under one root, and proves that each one stays inside it
 * after every symlink on the way is resolved (a symlink that points out is refused as if
 * the path did not exist).
 *
 * @example
 * const jail = new PathJail("/srv/notebooks");
 * const p = await jail.resolve("demo/train.ipynb"); // p.realPath under the real root
 */
export class PathJail {
  private rootPromise: Promise<string> | undefined;

  constructor(readonly root: string) {}

  /** The root with its own symlinks resolved (computed once). */
  realRoot(): Promise<string> {
    this.rootPromise ??= realpath(resolve(this.root)).catch((err: unknown) => {
      this.rootPromise = undefined;
      throw fsError(err, "", "open the root directory");
    });
    return this.rootPromise;
  }

  /** True when `real` (an absolute, symlink-free path) is the root or below it. */
  contains(realRoot: string, real: string): boolean {
    const rel = relative(realRoot, real);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
  }

  /**
   * Resolves an API path. The target need not exist; then its nearest existing ancestor
   * is what is checked. A dangling symlink on the way is refused, since writing through
   * it would create a file wherever it points.
   */
  async resolve(apiPath: string): Promise<JailedPath> {
    const segments = apiPathSegments(apiPath);
    const path = segments.join("/");
    const root = await this.realRoot();
    if (segments.length === 0) return { path, entryPath: root, realPath: root };

    const outside = () => new ContentsError(404, `Path is outside the root directory: ${quotePath(path)}`);
    const parent = await this.resolveDirectory(root, join(root, ...segments.slice(0, -1)), path, outside);
    const entryPath = join(parent, segments[segments.length - 1]);
    let realPath = entryPath;
    let isLink = false;
    try {
      isLink = (await lstat(entryPath)).isSymbolicLink();
    } catch (err) {
      if (!isErrno(err, "ENOENT", "ENOTDIR")) throw fsError(err, path, "open");
    }
    if (isLink) {
      try {
        realPath = await realpath(entryPath);
      } catch (err) {
        if (isErrno(err, "ENOENT", "ENOTDIR", "ELOOP")) throw outside();
        throw fsError(err, path, "open");
      }
      if (!this.contains(root, realPath)) throw outside();
    }
    return { path, entryPath, realPath };
  }

  /** The real path of a directory path that may not exist yet (missing tail appended). */
  private async resolveDirectory(root: string, dir: string, path: string, outside: () => ContentsError): Promise<string> {
    let probe = dir;
    let missing = "";
    for (;;) {
      let real: string | undefined;
      try {
        real = await realpath(probe);
      } catch (err) {
        if (!isErrno(err, "ENOENT", "ENOTDIR")) throw fsError(err, path, "open");
        // The entry may exist yet not resolve: a dangling symlink. Refuse it.
        const exists = await lstat(probe).then(
          () => true,
          (e: unknown) => (isErrno(e, "ENOENT", "ENOTDIR") ? false : Promise.reject(fsError(e, path, "open"))),
        );
        if (exists) throw outside();
      }
      if (real !== undefined) {
        if (!this.contains(root, real)) throw outside();
        return missing === "" ? real : join(real, missing);
      }
      if (probe === root || dirname(probe) === probe) throw outside();
      missing = missing === "" ? basename(probe) : join(basename(probe), missing);
      probe = dirname(probe);
    }
  }
}
