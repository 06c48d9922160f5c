import { randomUUID } from "node:crypto";
import { limitNotebookOutputs, type Notebook } from "@tessera/protocol";
import type { ContentsManager } from "../contents/contents-manager.js";
import type { KernelManager } from "../kernels/kernel-manager.js";
import type { SessionManager } from "../sessions/session-manager.js";
import { DocumentSaver } from "./document-saver.js";
import { NotebookDocument } from "./notebook-document.js";
import { MAX_OUTPUTS_PER_CELL } from "./output-limits.js";

interface OpenDocument {
  doc: NotebookDocument;
  saver: DocumentSaver;
}

/**
 * Gives every cell an id (nbformat 4.5) so ops can name it, and keeps each cell's last
 * MAX_OUTPUTS_PER_CELL outputs (a file with 380,000 outputs in a cell opens at once; the
 * file itself is left as it is until the next save).
 */
function withCellIds(nb: Notebook): Notebook {
  const seen = new Set<string>();
  for (const cell of nb.cells) {
    if (typeof cell.id !== "string" || !cell.id || seen.has(cell.id)) cell.id = randomUUID().slice(0, 8);
    seen.add(cell.id);
    if (cell.cell_type === "code" && !Array.isArray(cell.outputs)) cell.outputs = [];
  }
  limitNotebookOutputs(nb, MAX_OUTPUTS_PER_CELL);
  return nb;
}

/**
 * The open notebooks, by path. A document is loaded when a page opens it and kept while
 * a page watches it, a kernel feeds it, or a save is pending.
 */
export class DocumentManager {
  private readonly open = new Map<string, OpenDocument>();
  private readonly loading = new Map<string, Promise<OpenDocument>>();

  constructor(
    private readonly contents: ContentsManager,
    private readonly sessions: SessionManager,
    private readonly kernels: KernelManager,
  ) {
    kernels.on("removed", (id: string) => {
      for (const o of this.open.values()) {
        if (o.doc.kernel?.id === id) {
          o.doc.detachKernel();
          this.maybeClose(o);
        }
      }
    });
  }

  async get(path: string): Promise<OpenDocument> {
    const found = this.open.get(path);
    if (found) return found;
    let p = this.loading.get(path);
    if (!p) {
      p = this.load(path).finally(() => this.loading.delete(path));
      this.loading.set(path, p);
    }
    return p;
  }

  private async load(path: string): Promise<OpenDocument> {
    const model = await this.contents.get(path, { content: true, type: "notebook" });
    const nb = withCellIds(model.content as Notebook);
    // The callback runs only after `o` exists (on the first change).
    const doc: NotebookDocument = new NotebookDocument(path, nb, () => o.saver.changed());
    const o: OpenDocument = { doc, saver: new DocumentSaver(doc, this.contents, model.last_modified, () => this.maybeClose(o)) };
    this.open.set(path, o);
    // A kernel may already run for this notebook (a session made by another client).
    const session = this.sessions.findByPath(path);
    if (session?.kernel && this.kernels.has(session.kernel.id)) doc.attachKernel(this.kernels.get(session.kernel.id));
    return o;
  }

  /** Attaches a kernel (through a Jupyter session, so other clients see it too). */
  async startKernel(o: OpenDocument): Promise<void> {
    if (o.doc.kernel && this.kernels.has(o.doc.kernel.id)) return;
    const { model } = await this.sessions.create({
      path: o.doc.path,
      name: o.doc.path.split("/").pop(),
      type: "notebook",
      kernel: { name: "typescript" },
    });
    if (model.kernel) o.doc.attachKernel(this.kernels.get(model.kernel.id));
  }

  async restartKernel(o: OpenDocument): Promise<void> {
    if (!o.doc.kernel) return this.startKernel(o);
    await this.kernels.restart(o.doc.kernel.id);
  }

  /** Reloads from the checkpoint or the file on disk, dropping unsaved changes. */
  async revert(o: OpenDocument, source: "checkpoint" | "disk"): Promise<void> {
    if (source === "checkpoint") {
      const list = await this.contents.listCheckpoints(o.doc.path);
      if (list.length === 0) throw new Error("this notebook has no checkpoint yet (save with Ctrl+S to make one)");
      await this.contents.restoreCheckpoint(o.doc.path, list[list.length - 1].id);
    }
    const model = await this.contents.get(o.doc.path, { content: true, type: "notebook" });
    o.saver.dispose();
    o.doc.replaceNotebook(withCellIds(model.content as Notebook));
    o.saver.reloaded(model.last_modified);
  }

  /**
   * Saves now and makes a checkpoint (what Ctrl+S does). Unless `force`, a file someone
   * else changed on disk is left alone and the save fails with a clear message.
   */
  async saveAndCheckpoint(o: OpenDocument, force: boolean): Promise<void> {
    await o.saver.save(force);
    if (o.doc.save.error) throw new Error(o.doc.save.error);
    if (o.doc.save.diskChanged) throw new Error("the file changed on disk since it was opened: reload it, or choose to keep this version");
    await this.contents.createCheckpoint(o.doc.path);
  }

  /**
   * A view left: drop the document once nothing needs it. One whose save failed stays
   * open, unsaved changes and all, for a page to find (with the error); its few retries
   * run on the saver's backoff, never in a loop from here.
   */
  maybeClose(o: OpenDocument): void {
    if (o.doc.views.size > 0 || o.doc.kernel) return;
    if (o.saver.stuck) return;
    if (o.saver.pending) {
      void o.saver.save(false).then(() => this.maybeClose(o));
      return;
    }
    o.saver.dispose();
    if (this.open.get(o.doc.path) === o) this.open.delete(o.doc.path);
  }

  /** Follows a rename done through the contents API. */
  renamed(oldPath: string, newPath: string): void {
    for (const [path, o] of [...this.open]) {
      const moved = path === oldPath ? newPath : path.startsWith(oldPath + "/") ? newPath + path.slice(oldPath.length) : null;
      if (moved === null) continue;
      this.open.delete(path);
      o.doc.path = moved;
      this.open.set(moved, o);
      this.sessions.renamePath(path, moved);
      o.doc.broadcast({ type: "moved", path: moved });
    }
  }

  /** Follows a delete done through the contents API. */
  deleted(path: string): void {
    for (const [p, o] of [...this.open]) {
      if (p !== path && !p.startsWith(path + "/")) continue;
      o.saver.dispose();
      this.open.delete(p);
      o.doc.broadcast({ type: "moved", path: null });
    }
  }

  /** Saves every dirty document (server shutdown). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.open.values()].filter((o) => o.saver.pending).map((o) => o.saver.save(false)));
  }
}

export type { OpenDocument };
