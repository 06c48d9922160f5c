import type { Stats } from "node:fs";
import { lstat, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { emptyNotebook } from "@tessera/protocol";
import type { CheckpointModel, ContentType, ContentsModel } from "@tessera/protocol";
import { copyFileAtomic, syncDirectory, writeFileAtomic } from "./atomic-write.js";
import { FileCheckpoints } from "./checkpoints.js";
import { ContentsError, fsError, isErrno, quotePath } from "./contents-error.js";
import { tooLarge } from "./file-reading.js";
import { DEFAULT_HIDE_GLOBS, globMatcher, incrementName, UNTITLED } from "./names.js";
import { normalizeNotebook, serializeNotebook } from "./notebook-format.js";
import { apiBasename, apiDirname, apiJoin, apiPathSegments, normalizeApiPath, PathJail } from "./path-jail.js";
import type { JailedPath } from "./path-jail.js";
import { ModelReader } from "./models.js";
import type { GetOptions } from "./models.js";
import { ChunkedUploads, fileBytes } from "./uploads.js";
import type { SaveModel } from "./uploads.js";

export type { SaveModel } from "./uploads.js";
export type { GetOptions } from "./models.js";

/** Settings of a ContentsManager. */
export interface ContentsManagerOptions {
  /** Largest file (bytes) whose content is read or saved in one piece. Default 50 MiB. */
  maxFileSize?: number;
  /** Largest file (bytes) a chunked upload may build. Default 1 GiB. */
  maxUploadSize?: number;
  /** Serve names starting with "." (Jupyter's `allow_hidden`). Default false. */
  allowHidden?: boolean;
  /** Globs of names left out of directory listings. Default: Jupyter's `hide_globs`. */
  hideGlobs?: string[];
}

/** What `newUntitled` creates. */
export interface NewUntitledOptions {
  /** Default: "notebook" when `ext` is ".ipynb", else "file". */
  type?: ContentType | "";
  /** Extension of a new file, e.g. ".txt" (a missing leading dot is added). */
  ext?: string;
}

const MiB = 1024 * 1024;
const MAX_UNIQUE_TRIES = 10_000;

const notFound = (path: string) => new ContentsError(404, `No such file or directory: ${quotePath(path)}`);
const noDirectory = (path: string) => new ContentsError(404, `No such directory: ${quotePath(path)}`);

/**
 * The files and notebooks under one root directory, with the behavior of Jupyter Server's
 * FileContentsManager: models, saves, untitled names, copies, renames, deletes and one
 * checkpoint per file. Every path is an API path relative to the root; nothing outside it
 * is reachable (`..`, absolute paths, symlinks that point out: refused). Writes are atomic.
 * Errors are ContentsError with an HTTP status.
 *
 * @example
 * const contents = new ContentsManager("/srv/notebooks");
 * const nb = await contents.newUntitled("", { type: "notebook" }); // "Untitled.ipynb"
 * const model = await contents.get(nb.path);                      // content: the notebook
 * await contents.save(nb.path, { type: "notebook", content: model.content });
 */
export class ContentsManager {
  /** Largest file (bytes) read or saved in one piece. */
  readonly maxFileSize: number;
  /** Largest file (bytes) a chunked upload may build. */
  readonly maxUploadSize: number;
  private readonly allowHidden: boolean;
  private readonly reader: ModelReader;
  private readonly jail: PathJail;
  private readonly checkpoints: FileCheckpoints;
  private readonly uploads: ChunkedUploads;

  /** @param root the directory served; it must exist (symlinks in it are resolved once). */
  constructor(root: string, options: ContentsManagerOptions = {}) {
    this.maxFileSize = options.maxFileSize ?? 50 * MiB;
    this.maxUploadSize = options.maxUploadSize ?? 1024 * MiB;
    this.allowHidden = options.allowHidden ?? false;
    this.jail = new PathJail(root);
    const hide = globMatcher(options.hideGlobs ?? DEFAULT_HIDE_GLOBS);
    const listed = (name: string) => (this.allowHidden || !name.startsWith(".")) && !hide(name);
    this.reader = new ModelReader(this.jail, this.maxFileSize, listed);
    this.checkpoints = new FileCheckpoints(this.jail);
    this.uploads = new ChunkedUploads(this.jail, this.maxUploadSize);
  }

  /** True when a name on the path starts with "." and hidden files are not served. */
  isHidden(path: string): boolean {
    return !this.allowHidden && apiPathSegments(path).some((s) => s.startsWith("."));
  }

  /** Whether a file or directory exists at the path (symlinks followed). */
  async exists(path: string): Promise<boolean> {
    return (await this.statOf(await this.jail.resolve(path))) !== undefined;
  }

  /**
   * The absolute path of a regular, non-hidden file inside the root (symlinks resolved and
   * checked), for streaming it raw. 404 otherwise.
   */
  async fileOnDisk(path: string): Promise<{ realPath: string; size: number; name: string }> {
    if (this.isHidden(path)) throw notFound(path);
    const r = await this.jail.resolve(path);
    const st = await this.statOf(r);
    if (!st?.isFile()) throw notFound(path);
    return { realPath: r.realPath, size: st.size, name: apiBasename(r.path) };
  }

  /** Whether a regular file exists at the path. */
  async fileExists(path: string): Promise<boolean> {
    return (await this.statOf(await this.jail.resolve(path)))?.isFile() ?? false;
  }

  /** Whether a directory exists at the path. */
  async dirExists(path: string): Promise<boolean> {
    return (await this.statOf(await this.jail.resolve(path)))?.isDirectory() ?? false;
  }

  /**
   * The absolute directory a kernel for `path` runs in: the path itself when it is a
   * directory, else its parent, walking up to the nearest one that exists (as Jupyter's
   * `cwd_for_path`). Escapes are refused as for any path.
   *
   * @example
   * await contents.directoryFor("experiments/mnist.ipynb"); // "/srv/notebooks/experiments"
   */
  async directoryFor(path: string): Promise<string> {
    for (let p = normalizeApiPath(path); ; p = apiDirname(p)) {
      const r = await this.jail.resolve(p);
      if (p === "" || (await this.statOf(r))?.isDirectory()) return r.realPath;
    }
  }

  /**
   * The model of a directory (content: its listing, without contents; hidden names left
   * out), a notebook (`.ipynb`, content: the parsed notebook, format "json") or a file
   * (format "text" when UTF-8, else "base64"). 404 when missing, 413 past maxFileSize.
   *
   * @example
   * const dir = await contents.get("", { content: true });
   * const png = await contents.get("plot.png", { format: "base64", hash: true });
   */
  async get(path: string, options: GetOptions = {}): Promise<ContentsModel> {
    const p = normalizeApiPath(path);
    if (this.isHidden(p)) throw notFound(p);
    const r = await this.jail.resolve(p);
    const st = await this.statOf(r);
    if (!st) throw notFound(p);
    return this.reader.modelOf(r, st, options);
  }

  /**
   * Saves a model: `{type: "notebook", content}` (checked and brought to nbformat 4.5:
   * unique cell ids, the TypeScript kernelspec when it has none), `{type: "file", content,
   * format: "text" | "base64"}`, or `{type: "directory"}` (mkdir). Writes are atomic.
   * `chunk` (1, 2, …, -1) is Jupyter's chunked upload. Returns the model without content.
   *
   * @example
   * await contents.save("notes.md", { type: "file", format: "text", content: "# Notes\n" });
   */
  async save(path: string, model: SaveModel): Promise<ContentsModel> {
    const p = normalizeApiPath(path);
    if (typeof model !== "object" || model === null || Array.isArray(model)) {
      throw new ContentsError(400, "The model must be a JSON object");
    }
    if (this.isHidden(p)) throw new ContentsError(400, `Cannot create file or directory ${quotePath(p)}`);
    const { type } = model;
    if (type === undefined || type === null) throw new ContentsError(400, "No file type provided");
    if (type !== "directory" && (model.content === undefined || model.content === null)) {
      throw new ContentsError(400, "No file content provided");
    }
    if (type !== "directory" && type !== "notebook" && type !== "file") {
      throw new ContentsError(400, `Unhandled contents type: ${JSON.stringify(type)}`);
    }
    const r = await this.jail.resolve(p);
    const existing = await this.statOf(r);
    if (type === "directory") {
      if (existing && !existing.isDirectory()) throw new ContentsError(400, `Not a directory: ${quotePath(p)}`);
      if (!existing) {
        await this.requireParent(r);
        await mkdir(r.realPath).catch((err: unknown) => {
          if (!isErrno(err, "EEXIST")) throw fsError(err, p, "create");
        });
      }
      return this.get(p, { content: false });
    }
    if (p === "" || existing?.isDirectory()) throw new ContentsError(400, `${quotePath(p || "/")} is a directory`);
    if (existing && !existing.isFile()) throw new ContentsError(400, `${quotePath(p)} is not a regular file`);
    await this.requireParent(r);
    if (model.chunk !== undefined && model.chunk !== null) {
      const staged = await this.uploads.save(r, model, existing);
      if (staged) return staged;
      return this.get(p, { content: false });
    }
    const data =
      type === "notebook"
        ? Buffer.from(serializeNotebook(normalizeNotebook(model.content, p)))
        : fileBytes(p, model.content, model.format, this.maxFileSize);
    if (data.length > this.maxFileSize) throw tooLarge(p, data.length, this.maxFileSize, "save");
    await writeFileAtomic(r.realPath, data).catch((err: unknown) => {
      throw fsError(err, p, "save");
    });
    // Jupyter keeps one checkpoint for every notebook from its first save on.
    if (type === "notebook") await this.ensureCheckpoint(p, r.realPath);
    return this.get(p, { content: false });
  }

  /**
   * Creates an untitled notebook ("Untitled.ipynb", "Untitled1.ipynb", …: an empty
   * nbformat 4.5 notebook with the TypeScript kernelspec), file ("untitled" + ext) or
   * directory ("Untitled Folder", "Untitled Folder 1", …) in `dirPath`; never replaces an
   * existing entry, even when two requests race. Returns its model without content.
   *
   * @example
   * const { path } = await contents.newUntitled("notes", { ext: ".ipynb" }); // "notes/Untitled.ipynb"
   */
  async newUntitled(dirPath = "", options: NewUntitledOptions = {}): Promise<ContentsModel> {
    const dir = normalizeApiPath(dirPath);
    if (this.isHidden(dir)) throw new ContentsError(400, `Cannot create file or directory in ${quotePath(dir)}`);
    if (!(await this.dirExists(dir))) throw noDirectory(dir);
    let ext = options.ext ?? "";
    if (typeof ext !== "string" || ext.includes("/") || ext.includes("\0")) {
      throw new ContentsError(400, `Invalid extension: ${JSON.stringify(ext)}`);
    }
    if (ext !== "" && !ext.startsWith(".")) ext = `.${ext}`;
    const type = options.type || (ext === ".ipynb" ? "notebook" : "file");
    if (type !== "notebook" && type !== "file" && type !== "directory") {
      throw new ContentsError(400, `Unexpected model type: ${JSON.stringify(type)}`);
    }
    if (type === "notebook") ext = ".ipynb";
    const base = type === "directory" ? UNTITLED.directory : UNTITLED[type] + ext;
    const insert = type === "directory" ? " " : "";
    const data = type === "notebook" ? serializeNotebook(emptyNotebook()) : "";
    const created = await this.createUnique(dir, base, insert, async (target) => {
      if (type === "directory") await mkdir(target.realPath);
      else await writeFileAtomic(target.realPath, data, { noReplace: true });
    });
    if (type === "notebook") await this.ensureCheckpoint(created.path, created.realPath);
    return this.get(created.path, { content: false });
  }

  /**
   * Copies a file. When `toPath` is a directory (default: the source's own), the copy is
   * named as Jupyter does: "name-Copy1.ext", "name-Copy2.ext", …; otherwise `toPath` is
   * the new file's path (409 if it exists). Directories cannot be copied (400).
   *
   * @example
   * await contents.copy("train.ipynb");          // "train-Copy1.ipynb"
   * await contents.copy("train.ipynb", "runs");  // "runs/train.ipynb"
   */
  async copy(fromPath: string, toPath?: string): Promise<ContentsModel> {
    const from = normalizeApiPath(fromPath);
    const to = toPath === undefined ? apiDirname(from) : normalizeApiPath(toPath);
    if (this.isHidden(from) || this.isHidden(to)) {
      throw new ContentsError(400, `Cannot copy file or directory ${quotePath(from)}`);
    }
    const src = await this.jail.resolve(from);
    const srcStat = await this.statOf(src);
    if (!srcStat) throw notFound(from);
    if (srcStat.isDirectory()) throw new ContentsError(400, "Can't copy directories");
    if (!srcStat.isFile()) throw new ContentsError(400, `${quotePath(from)} is not a regular file`);

    const dest = await this.jail.resolve(to);
    const destStat = await this.statOf(dest);
    let created: JailedPath;
    const copyTo = (target: JailedPath) => copyFileAtomic(src.realPath, target.realPath, { noReplace: true });
    if (destStat?.isDirectory()) {
      const name = apiBasename(from).replace(/-Copy\d*\./g, ".");
      created = await this.createUnique(to, name, "-Copy", copyTo);
    } else if (destStat) {
      throw new ContentsError(409, `File already exists: ${quotePath(to)}`);
    } else if (toPath === undefined) {
      throw noDirectory(to);
    } else {
      if (!(await this.dirExists(apiDirname(to)))) {
        throw new ContentsError(404, `No such parent directory: ${quotePath(apiDirname(to))} to copy file in`);
      }
      await copyTo(dest).catch((err: unknown) => {
        throw fsError(err, to, "copy to");
      });
      created = dest;
    }
    if (created.path.endsWith(".ipynb")) await this.ensureCheckpoint(created.path, created.realPath);
    return this.get(created.path, { content: false });
  }

  /**
   * Renames or moves a file or directory (and the file's checkpoint). 409 when the new
   * path exists, 404 when the old one or the new parent does not.
   *
   * @example
   * await contents.rename("Untitled.ipynb", "experiments/mnist.ipynb");
   */
  async rename(oldPath: string, newPath: string): Promise<ContentsModel> {
    const o = normalizeApiPath(oldPath);
    const n = normalizeApiPath(newPath);
    if (o === "" || n === "") throw new ContentsError(400, "Cannot rename the root directory");
    if (this.isHidden(o) || this.isHidden(n)) {
      throw new ContentsError(400, `Cannot rename file or directory ${quotePath(o)}`);
    }
    if (o === n) return this.get(n, { content: false });
    if (n.startsWith(`${o}/`)) throw new ContentsError(400, `Cannot move ${quotePath(o)} into itself`);
    const from = await this.jail.resolve(o);
    const fromStat = await lstat(from.entryPath).catch((err: unknown) => {
      throw isErrno(err, "ENOENT", "ENOTDIR")
        ? new ContentsError(404, `File or directory does not exist: ${quotePath(o)}`)
        : fsError(err, o, "rename");
    });
    const to = await this.jail.resolve(n);
    await this.requireParent(to);
    const toStat = await lstat(to.entryPath).catch(() => undefined);
    // The same inode is a case-only rename on a case-insensitive file system: allowed.
    if (toStat && !(toStat.dev === fromStat.dev && toStat.ino === fromStat.ino)) {
      throw new ContentsError(409, `File already exists: ${quotePath(n)}`);
    }
    await rename(from.entryPath, to.entryPath).catch((err: unknown) => {
      throw fsError(err, o, "rename");
    });
    await syncDirectory(dirname(to.entryPath));
    if (dirname(from.entryPath) !== dirname(to.entryPath)) await syncDirectory(dirname(from.entryPath));
    if (!fromStat.isDirectory()) await this.checkpoints.rename(o, n);
    return this.get(n, { content: false });
  }

  /**
   * Deletes a file, or a directory with everything in it, and the file's checkpoint.
   * A symlink is removed itself, never what it points to.
   *
   * @example
   * await contents.delete("scratch");
   */
  async delete(path: string): Promise<void> {
    const p = normalizeApiPath(path);
    if (p === "") throw new ContentsError(400, "Can't delete the root directory");
    if (this.isHidden(p)) throw new ContentsError(400, `Cannot delete file or directory ${quotePath(p)}`);
    const r = await this.jail.resolve(p);
    await lstat(r.entryPath).catch((err: unknown) => {
      throw isErrno(err, "ENOENT", "ENOTDIR") ? notFound(p) : fsError(err, p, "delete");
    });
    await rm(r.entryPath, { recursive: true }).catch((err: unknown) => {
      throw fsError(err, p, "delete");
    });
    await syncDirectory(dirname(r.entryPath));
    await this.checkpoints.deleteAll(p);
  }

  /**
   * Saves the file's current bytes as its checkpoint (id "checkpoint"), replacing the
   * previous one.
   *
   * @example
   * const cp = await contents.createCheckpoint("train.ipynb"); // { id: "checkpoint", last_modified }
   */
  async createCheckpoint(path: string): Promise<CheckpointModel> {
    const { p, r } = await this.existingFile(path);
    return this.checkpoints.create(p, r.realPath);
  }

  /** The file's checkpoints: [] or one. */
  async listCheckpoints(path: string): Promise<CheckpointModel[]> {
    const p = normalizeApiPath(path);
    if (this.isHidden(p)) throw notFound(p);
    return this.checkpoints.list(p);
  }

  /**
   * Puts the checkpoint's bytes back into the file (atomically; the file may have been
   * deleted since). 404 when there is no such checkpoint.
   */
  async restoreCheckpoint(path: string, checkpointId: string): Promise<void> {
    const p = normalizeApiPath(path);
    if (this.isHidden(p) || p === "") throw notFound(p);
    const r = await this.jail.resolve(p);
    if ((await this.statOf(r))?.isDirectory()) throw new ContentsError(400, `${quotePath(p)} is a directory`);
    await this.requireParent(r);
    await this.checkpoints.restore(p, checkpointId, r.realPath);
  }

  /** Deletes a checkpoint; 404 when there is none. */
  async deleteCheckpoint(path: string, checkpointId: string): Promise<void> {
    const p = normalizeApiPath(path);
    if (this.isHidden(p)) throw notFound(p);
    await this.checkpoints.delete(p, checkpointId);
  }

  // --- internals -------------------------------------------------------------------

  private async statOf(r: JailedPath): Promise<Stats | undefined> {
    try {
      return await stat(r.realPath);
    } catch (err) {
      if (isErrno(err, "ENOENT", "ENOTDIR")) return undefined;
      throw fsError(err, r.path, "open");
    }
  }

  private async requireParent(r: JailedPath): Promise<void> {
    const parent = await stat(dirname(r.realPath)).catch(() => undefined);
    if (!parent?.isDirectory()) throw noDirectory(apiDirname(r.path));
  }

  private async existingFile(path: string): Promise<{ p: string; r: JailedPath }> {
    const p = normalizeApiPath(path);
    if (this.isHidden(p)) throw notFound(p);
    const r = await this.jail.resolve(p);
    const st = await this.statOf(r);
    if (!st) throw notFound(p);
    if (!st.isFile()) throw new ContentsError(400, `Checkpoints are kept for files only: ${quotePath(p)}`);
    return { p, r };
  }

  /** Best effort: the save itself succeeded, so a failed checkpoint must not fail it. */
  private async ensureCheckpoint(path: string, realPath: string): Promise<void> {
    try {
      if ((await this.checkpoints.list(path)).length === 0) await this.checkpoints.create(path, realPath);
    } catch {}
  }

  /** Tries name, name1, name2… (see incrementName) until `make` does not meet EEXIST. */
  private async createUnique(dir: string, name: string, insert: string, make: (target: JailedPath) => Promise<void>): Promise<JailedPath> {
    for (let i = 0; i < MAX_UNIQUE_TRIES; i++) {
      const candidate = apiJoin(dir, incrementName(name, i, insert));
      if (this.isHidden(candidate)) throw new ContentsError(400, `Cannot create ${quotePath(candidate)}`);
      let target: JailedPath;
      try {
        target = await this.jail.resolve(candidate);
      } catch {
        continue; // e.g. a dangling symlink holds the name
      }
      try {
        await make(target);
        return target;
      } catch (err) {
        if (!isErrno(err, "EEXIST")) throw fsError(err, candidate, "create");
      }
    }
    throw new ContentsError(409, `No free name like ${quotePath(name)} in ${quotePath(dir)}`);
  }
}
