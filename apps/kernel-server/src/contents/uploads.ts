import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { chmod, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { ContentsModel } from "@tessera/protocol";
import { appendSynced, syncDirectory, writeFileAtomic } from "./atomic-write.js";
import { ContentsError, fsError, isErrno, quotePath } from "./contents-error.js";
import { baseModel, tooLarge } from "./file-reading.js";
import { guessMimeType } from "./mime.js";
import { apiBasename, apiDirname, apiJoin, PathJail } from "./path-jail.js";
import type { JailedPath } from "./path-jail.js";

/**
 * A model sent to save, as it arrives in a request body: nothing in it is trusted yet.
 *
 * @example
 * const model: SaveModel = { type: "file", format: "text", content: "hello\n" };
 */
export interface SaveModel {
  /** "notebook", "file" or "directory". */
  type?: unknown;
  /** A notebook object, or the file's text or base64. */
  content?: unknown;
  /** For files: "text" (default) or "base64". */
  format?: unknown;
  /** Jupyter's chunked upload: 1, 2, … and -1 for the last chunk. */
  chunk?: unknown;
  [key: string]: unknown;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a file model's content: UTF-8 of `text` (the default format) or decoded
 * `base64`. 400 for a non-string, a bad format or malformed base64; 413 past `limit`.
 */
export function fileBytes(path: string, content: unknown, format: unknown, limit: number): Buffer {
  if (typeof content !== "string") {
    throw new ContentsError(400, `The content of ${quotePath(path)} must be a string`);
  }
  const fmt = format ?? "text";
  if (fmt === "text") {
    if (content.length > limit) throw tooLarge(path, Buffer.byteLength(content), limit, "save");
    return Buffer.from(content, "utf8");
  }
  if (fmt !== "base64") {
    throw new ContentsError(400, "Must specify format of file contents as 'text' or 'base64'", "bad format");
  }
  if ((content.length / 4) * 3 > limit + 3) throw tooLarge(path, Math.floor((content.length / 4) * 3), limit, "save");
  const clean = content.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) {
    throw new ContentsError(400, `Encoding error saving ${quotePath(path)}: malformed base64`, "bad format");
  }
  return Buffer.from(clean, "base64");
}

/**
 * Jupyter's chunked upload (what JupyterLab sends for files over 1 MiB): chunk 1 starts a
 * hidden staging file beside the target, later chunks append to it, and chunk -1 appends
 * the last part and renames it over the target. The target keeps its old bytes until the
 * upload is complete, and an abandoned upload never half-replaces it.
 */
export class ChunkedUploads {
  constructor(
    private readonly jail: PathJail,
    private readonly maxUploadSize: number,
  ) {}

  /** Hidden (starts with "."), so listings skip it; fixed per target so chunks find it. */
  private stagingPath(path: string): string {
    const digest = createHash("sha256").update(path).digest("hex").slice(0, 16);
    return apiJoin(apiDirname(path), `.~tessera-upload-${digest}.part`);
  }

  /**
   * Saves one chunk of a "file" model to `target`. Returns the model to reply with while
   * the upload is in progress, or undefined once the last chunk has been committed.
   */
  async save(target: JailedPath, model: Record<string, unknown>, existing: Stats | undefined): Promise<ContentsModel | undefined> {
    const { path } = target;
    const { chunk } = model;
    if (typeof chunk !== "number" || !Number.isInteger(chunk) || (chunk < 1 && chunk !== -1)) {
      throw new ContentsError(400, "chunk must be a positive integer, or -1 for the last chunk");
    }
    if (model.type !== "file") {
      throw new ContentsError(400, `File type ${JSON.stringify(model.type)} is not supported for chunked upload`);
    }
    const data = fileBytes(path, model.content, model.format, this.maxUploadSize);
    const staging = await this.jail.resolve(this.stagingPath(path));
    const staged = await stat(staging.realPath).catch((err: unknown) => {
      if (isErrno(err, "ENOENT", "ENOTDIR")) return undefined;
      throw fsError(err, path, "upload");
    });

    if (chunk === -1 && !staged) {
      // The whole file in one (last) chunk.
      await writeFileAtomic(target.realPath, data).catch((err: unknown) => {
        throw fsError(err, path, "save");
      });
      return undefined;
    }
    if (chunk !== 1 && !staged) {
      throw new ContentsError(400, `Chunk ${chunk} of ${quotePath(path)} arrived before chunk 1`);
    }
    const sizeBefore = chunk === 1 ? 0 : (staged?.size ?? 0);
    if (sizeBefore + data.length > this.maxUploadSize) {
      await unlink(staging.realPath).catch(() => undefined);
      throw tooLarge(path, sizeBefore + data.length, this.maxUploadSize, "upload");
    }
    try {
      await appendSynced(staging.realPath, data, chunk === 1);
      if (chunk !== -1) {
        const st = await stat(staging.realPath);
        const progress = await baseModel(path, st, staging.realPath, "file");
        return { ...progress, name: apiBasename(path), mimetype: guessMimeType(path) };
      }
      if (existing) await chmod(staging.realPath, existing.mode & 0o7777);
      await rename(staging.realPath, target.realPath);
      await syncDirectory(dirname(target.realPath));
      return undefined;
    } catch (err) {
      // A failed chunk fails the upload (the client stops); drop what was staged.
      await unlink(staging.realPath).catch(() => undefined);
      throw fsError(err, path, "upload");
    }
  }
}
