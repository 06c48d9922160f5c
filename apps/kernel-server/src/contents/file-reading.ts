import { createHash } from "node:crypto";
import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { access, open } from "node:fs/promises";
import type { ContentType, ContentsModel } from "@tessera/protocol";
import { ContentsError, quotePath } from "./contents-error.js";
import { apiBasename } from "./path-jail.js";
import { formatBytes } from "./names.js";

const READ_CHUNK = 1 << 20;

/** Creation time where the file system keeps one, else the inode change time (as Jupyter). */
function createdOf(st: Stats): Date {
  return st.birthtimeMs > 0 ? st.birthtime : st.ctime;
}

async function isWritable(realPath: string): Promise<boolean> {
  return access(realPath, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/** The fields every model has, with no content (what listings and saves return). */
export async function baseModel(path: string, st: Stats, realPath: string, type: ContentType): Promise<ContentsModel> {
  return {
    name: apiBasename(path),
    path,
    type,
    writable: await isWritable(realPath),
    created: createdOf(st).toISOString(),
    last_modified: st.mtime.toISOString(),
    size: type === "directory" ? null : st.size,
    mimetype: null,
    format: null,
    content: null,
  };
}

/** The 413 for a file over the read limit. */
export function tooLarge(path: string, size: number, limit: number, verb = "open"): ContentsError {
  return new ContentsError(
    413,
    `${quotePath(path)} is too large to ${verb} (${formatBytes(size)}; the limit is ${formatBytes(limit)})`,
    "too large",
  );
}

/**
 * Reads a whole regular file, refusing (413) one larger than `limit` bytes. The limit is
 * enforced while reading too, so a file that grows after its stat cannot exhaust memory;
 * O_NONBLOCK keeps a FIFO swapped in after the stat from blocking the server.
 */
export async function readCapped(realPath: string, path: string, size: number, limit: number): Promise<Buffer> {
  if (size > limit) throw tooLarge(path, size, limit);
  const handle = await open(realPath, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new ContentsError(400, `${quotePath(path)} is not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, limit + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooLarge(path, total, limit);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8 (a BOM is kept). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** SHA-256 of bytes, as the model's `hash`. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** SHA-256 of a file, streamed: hashing has no size limit. */
export async function sha256File(realPath: string): Promise<string> {
  const handle = await open(realPath, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const hash = createHash("sha256");
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } finally {
    await handle.close();
  }
}
