import { lchown, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CheckpointModel, ContentsModel } from "@tessera/protocol";
import { ContentsManager, type NewUntitledOptions } from "../contents/contents-manager.js";
import type { SaveModel } from "../contents/uploads.js";

/** A user id and group id on this machine. */
export interface OsIds {
  uid: number;
  gid: number;
}

/**
 * A user's home when their kernels run under their own uid: everything the server writes
 * there (as root) is handed to that uid, so their kernel can read, change and replace the
 * files it sees in its home. Writes are atomic (a new inode each time), so each one is
 * handed over afterwards: the file or folder written, and the checkpoints beside it.
 */
export class OwnedContentsManager extends ContentsManager {
  constructor(
    private readonly home: string,
    private readonly ids: OsIds,
  ) {
    super(home);
  }

  /** Gives `apiPath` (relative to the home) and its folder's checkpoints to the user. */
  private async own(apiPath: string): Promise<void> {
    const target = join(this.home, apiPath);
    const give = (p: string) => lchown(p, this.ids.uid, this.ids.gid).catch(() => undefined);
    await give(target);
    const checkpoints = join(apiPath === "" ? this.home : dirname(target), ".ipynb_checkpoints");
    const names = await readdir(checkpoints).catch(() => null);
    if (names === null) return;
    await give(checkpoints);
    for (const n of names) await give(join(checkpoints, n));
  }

  override async save(path: string, model: SaveModel): Promise<ContentsModel> {
    const saved = await super.save(path, model);
    await this.own(saved.path);
    return saved;
  }

  override async newUntitled(dirPath = "", options: NewUntitledOptions = {}): Promise<ContentsModel> {
    const created = await super.newUntitled(dirPath, options);
    await this.own(created.path);
    return created;
  }

  override async copy(fromPath: string, toPath?: string): Promise<ContentsModel> {
    const copied = await super.copy(fromPath, toPath);
    await this.own(copied.path);
    return copied;
  }

  override async createCheckpoint(path: string): Promise<CheckpointModel> {
    const checkpoint = await super.createCheckpoint(path);
    await this.own(path.replace(/^\/+/, ""));
    return checkpoint;
  }

  override async restoreCheckpoint(path: string, checkpointId: string): Promise<void> {
    await super.restoreCheckpoint(path, checkpointId);
    await this.own(path.replace(/^\/+/, ""));
  }
}
