import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, link, lstat, open, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isErrno } from "./contents-error.js";

/** Options of the atomic writers. */
export interface AtomicWriteOptions {
  /**
   * Fail with EEXIST instead of replacing an existing target. Done with a hard link, so two
   * writers racing for one name cannot both win (falls back to check-then-rename on file
   * systems without hard links).
   */
  noReplace?: boolean;
}

/** A hidden name in the target's directory: same file system, so the rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.~tessera-${randomBytes(8).toString("hex")}.tmp`);
}

/** fsync a directory so a rename in it survives a crash; not every platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on some platforms and file systems: the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function modeOf(target: string): Promise<number | undefined> {
  try {
    return (await stat(target)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Moves a finished temp file onto the target, then syncs the directory. */
async function commit(temp: string, target: string, options: AtomicWriteOptions): Promise<void> {
  if (options.noReplace) {
    try {
      await link(temp, target);
      await unlink(temp).catch(() => undefined);
    } catch (err) {
      if (!isErrno(err, "EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS")) throw err;
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (exists) throw Object.assign(new Error("target exists"), { code: "EEXIST" });
      await rename(temp, target);
    }
  } else {
    await rename(temp, target);
  }
  await syncDirectory(dirname(target));
}

/**
 * Writes a file atomically: a temp file in the same directory is written, fsynced and
 * renamed over the target, so readers see the old bytes or the new ones, never a part.
 * On any failure (ENOSPC, EFBIG, EACCES…) the temp file is removed and the old file is
 * left as it was. An existing target keeps its permission bits.
 *
 * @example
 * await writeFileAtomic("/srv/nb/a.ipynb", JSON.stringify(nb));
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(target);
  const mode = await modeOf(target);
  let handle;
  try {
    handle = await open(temp, "wx", 0o666);
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await commit(temp, target, options);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Copies `source` onto `target` atomically (copy to a temp file, fsync, rename), with the
 * same guarantees as writeFileAtomic. The copy streams: its size is not bounded by memory.
 *
 * @example
 * await copyFileAtomic("/srv/nb/.ipynb_checkpoints/a-checkpoint.ipynb", "/srv/nb/a.ipynb");
 */
export async function copyFileAtomic(source: string, target: string, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    const handle = await open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commit(temp, target, options);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Appends to a file and fsyncs it (for chunked uploads staged beside their target).
 * `truncate` starts the file over.
 */
export async function appendSynced(path: string, data: Uint8Array, truncate: boolean): Promise<number> {
  const handle = await open(path, truncate ? "w" : "a", 0o666);
  try {
    await handle.writeFile(data);
    await handle.sync();
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}
