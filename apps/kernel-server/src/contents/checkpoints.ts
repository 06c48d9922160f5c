import { mkdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, extname } from "node:path";
import type { CheckpointModel } from "@tessera/protocol";
import { copyFileAtomic, syncDirectory } from "./atomic-write.js";
import { ContentsError, fsError, isErrno, quotePath } from "./contents-error.js";
import { apiBasename, apiDirname, apiJoin, PathJail } from "./path-jail.js";

/** Where checkpoints live, in each directory (the name Jupyter uses). */
export const CHECKPOINT_DIR = ".ipynb_checkpoints";
/** The one checkpoint id a file has, as with Jupyter's FileCheckpoints. */
export const CHECKPOINT_ID = "checkpoint";

/**
 * The API path of a file's checkpoint: `dir/.ipynb_checkpoints/<stem>-checkpoint<ext>`.
 *
 * @example
 * checkpointPath("a/train.ipynb"); // "a/.ipynb_checkpoints/train-checkpoint.ipynb"
 */
export function checkpointPath(path: string): string {
  const name = apiBasename(path);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  return apiJoin(apiJoin(apiDirname(path), CHECKPOINT_DIR), `${stem}-${CHECKPOINT_ID}${ext}`);
}

function missingCheckpoint(path: string, id: string): ContentsError {
  return new ContentsError(404, `Checkpoint does not exist: ${quotePath(path)}@${quotePath(id)}`);
}

/**
 * Jupyter's FileCheckpoints: one checkpoint per file, a copy kept beside it in
 * `.ipynb_checkpoints`. Paths are normalized API paths the caller has already checked;
 * the checkpoint paths go through the jail too (a `.ipynb_checkpoints` symlink that
 * points out of the root is refused).
 */
export class FileCheckpoints {
  constructor(private readonly jail: PathJail) {}

  private async model(realPath: string): Promise<CheckpointModel> {
    const st = await stat(realPath);
    return { id: CHECKPOINT_ID, last_modified: st.mtime.toISOString() };
  }

  /** Copies the file at `sourceReal` (the real path of `path`) to its checkpoint. */
  async create(path: string, sourceReal: string): Promise<CheckpointModel> {
    const cp = await this.jail.resolve(checkpointPath(path));
    try {
      await mkdir(dirname(cp.realPath)).catch((err: unknown) => {
        if (!isErrno(err, "EEXIST")) throw err;
      });
      // Resolve again: the directory may only now exist, and it must be inside the root.
      const checked = await this.jail.resolve(cp.path);
      await copyFileAtomic(sourceReal, checked.realPath);
      return await this.model(checked.realPath);
    } catch (err) {
      throw fsError(err, path, "create a checkpoint of");
    }
  }

  /** The file's checkpoints: none or one. */
  async list(path: string): Promise<CheckpointModel[]> {
    const cp = await this.jail.resolve(checkpointPath(path));
    try {
      return [await this.model(cp.realPath)];
    } catch (err) {
      if (isErrno(err, "ENOENT", "ENOTDIR")) return [];
      throw fsError(err, path, "list the checkpoints of");
    }
  }

  /** Copies the checkpoint back over the file (atomically) at `targetReal`. */
  async restore(path: string, id: string, targetReal: string): Promise<void> {
    if (id !== CHECKPOINT_ID) throw missingCheckpoint(path, id);
    const cp = await this.jail.resolve(checkpointPath(path));
    try {
      if (!(await stat(cp.realPath)).isFile()) throw missingCheckpoint(path, id);
    } catch (err) {
      if (isErrno(err, "ENOENT", "ENOTDIR")) throw missingCheckpoint(path, id);
      throw fsError(err, path, "restore a checkpoint of");
    }
    try {
      await copyFileAtomic(cp.realPath, targetReal);
    } catch (err) {
      throw fsError(err, path, "restore a checkpoint of");
    }
  }

  /** Deletes one checkpoint; 404 when there is none. */
  async delete(path: string, id: string): Promise<void> {
    if (id !== CHECKPOINT_ID) throw missingCheckpoint(path, id);
    const cp = await this.jail.resolve(checkpointPath(path));
    try {
      await unlink(cp.realPath);
    } catch (err) {
      if (isErrno(err, "ENOENT", "ENOTDIR")) throw missingCheckpoint(path, id);
      throw fsError(err, path, "delete a checkpoint of");
    }
  }

  /** Deletes the file's checkpoint if it has one (after the file itself is deleted). */
  async deleteAll(path: string): Promise<void> {
    const cp = await this.jail.resolve(checkpointPath(path)).catch(() => undefined);
    if (cp) await unlink(cp.realPath).catch(() => undefined);
  }

  /** Moves the checkpoint of `oldPath` to be the checkpoint of `newPath` (after a rename). */
  async rename(oldPath: string, newPath: string): Promise<void> {
    const from = await this.jail.resolve(checkpointPath(oldPath)).catch(() => undefined);
    if (
      !from ||
      !(await stat(from.realPath).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      return;
    try {
      const to = await this.jail.resolve(checkpointPath(newPath));
      await mkdir(dirname(to.realPath)).catch((err: unknown) => {
        if (!isErrno(err, "EEXIST")) throw err;
      });
      const checked = await this.jail.resolve(to.path);
      await rename(from.realPath, checked.realPath);
      await syncDirectory(dirname(checked.realPath));
    } catch {
      // The file itself has moved; its old checkpoint stays where it was rather than be lost.
    }
  }
}
