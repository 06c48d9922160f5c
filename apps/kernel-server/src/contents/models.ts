import type { Stats } from "node:fs";
import { readdir, realpath, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ContentType, ContentsModel } from "@tessera/protocol";
import { ContentsError, fsError, quotePath } from "./contents-error.js";
import { baseModel, decodeUtf8, readCapped, sha256, sha256File } from "./file-reading.js";
import { guessMimeType } from "./mime.js";
import { parseNotebook } from "./notebook-format.js";
import { apiJoin, PathJail } from "./path-jail.js";
import type { JailedPath } from "./path-jail.js";

/** What `get` returns and how. */
export interface GetOptions {
  /** Include the content (default true). */
  content?: boolean;
  /** Read as this type; a mismatch with a directory is a 400. */
  type?: ContentType;
  /** For files: "text" (400 when not UTF-8) or "base64"; default: text when it decodes. */
  format?: "text" | "base64";
  /** Include the SHA-256 of the bytes as `hash` (with `hash_algorithm: "sha256"`). */
  hash?: boolean;
}

const LIST_BATCH = 64;

/** Builds contents models (the read side of ContentsManager). */
export class ModelReader {
  constructor(
    private readonly jail: PathJail,
    private readonly maxFileSize: number,
    /** Whether a directory listing shows this name. */
    private readonly isListed: (name: string) => boolean,
  ) {}

  /** The model of an existing entry whose stat (symlinks followed) is `st`. */
  async modelOf(r: JailedPath, st: Stats, options: GetOptions): Promise<ContentsModel> {
    const { path } = r;
    const { type } = options;
    const withContent = options.content ?? true;
    if (st.isDirectory()) {
      if (type !== undefined && type !== "directory") {
        throw new ContentsError(400, `${quotePath(path)} is a directory, not a ${type}`, "bad type");
      }
      const model = await baseModel(path, st, r.realPath, "directory");
      if (withContent) {
        model.content = await this.list(r);
        model.format = "json";
      }
      return model;
    }
    if (!st.isFile()) throw new ContentsError(400, `${quotePath(path)} is not a regular file`);
    if (type === "directory") throw new ContentsError(400, `${quotePath(path)} is not a directory`, "bad type");
    const notebook = type === "notebook" || (type === undefined && path.endsWith(".ipynb"));
    const model = await baseModel(path, st, r.realPath, notebook ? "notebook" : "file");
    if (!notebook) model.mimetype = guessMimeType(path);
    let bytes: Buffer | undefined;
    if (withContent) {
      bytes = await readCapped(r.realPath, path, st.size, this.maxFileSize).catch((err: unknown) => {
        throw fsError(err, path, "read");
      });
      if (notebook) {
        const text = decodeUtf8(bytes);
        if (text === undefined) throw new ContentsError(400, `Unreadable notebook ${quotePath(path)}: not UTF-8`);
        model.content = parseNotebook(text, path);
        model.format = "json";
      } else {
        const text = options.format === "base64" ? undefined : decodeUtf8(bytes);
        if (options.format === "text" && text === undefined) {
          throw new ContentsError(400, `${quotePath(path)} is not UTF-8 encoded`, "bad format");
        }
        model.format = text === undefined ? "base64" : "text";
        model.content = text ?? bytes.toString("base64");
        model.mimetype ??= text === undefined ? "application/octet-stream" : "text/plain";
      }
    }
    if (options.hash) {
      model.hash = bytes
        ? sha256(bytes)
        : await sha256File(r.realPath).catch((err: unknown) => {
            throw fsError(err, path, "read");
          });
      model.hash_algorithm = "sha256";
    }
    return model;
  }

  /** A directory's entries (no content), hidden and non-regular ones and escaping symlinks left out. */
  private async list(dir: JailedPath): Promise<ContentsModel[]> {
    const root = await this.jail.realRoot();
    const entries = await readdir(dir.realPath, { withFileTypes: true }).catch((err: unknown) => {
      throw fsError(err, dir.path, "list");
    });
    void removeStaleTemps(
      dir.realPath,
      entries.map((e) => e.name),
    );
    const visible = entries.filter((e) => this.isListed(e.name));
    const models: ContentsModel[] = [];
    for (let i = 0; i < visible.length; i += LIST_BATCH) {
      const batch = await Promise.all(
        visible.slice(i, i + LIST_BATCH).map(async (e): Promise<ContentsModel | undefined> => {
          try {
            const entryPath = join(dir.realPath, e.name);
            const realPath = e.isSymbolicLink() ? await realpath(entryPath) : entryPath;
            if (!this.jail.contains(root, realPath)) return undefined;
            const st = await stat(realPath);
            if (!st.isFile() && !st.isDirectory()) return undefined;
            return await this.modelOf({ path: apiJoin(dir.path, e.name), entryPath, realPath }, st, { content: false });
          } catch {
            return undefined; // dangling or looping symlinks, entries removed meanwhile, no permission
          }
        }),
      );
      for (const m of batch) if (m) models.push(m);
    }
    return models.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The temp files of atomic writes (atomic-write.ts `tempPathFor`). */
const TEMP_NAME = /^\.~tessera-[0-9a-f]{16}\.tmp$/;
/** Older than any write in progress: a server killed mid-write left it. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Removes the temp files a server killed in the middle of a write left in `dir` (they are
 * hidden, never listed; the target file itself is whole). Best effort, in the background.
 */
async function removeStaleTemps(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    if (!TEMP_NAME.test(name)) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (st && Date.now() - st.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
  }
}
