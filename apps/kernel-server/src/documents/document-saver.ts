import type { ContentsManager } from "../contents/contents-manager.js";
import type { NotebookDocument } from "./notebook-document.js";
import { forDisk } from "./output-ops.js";

/** Quiet time after the last change before an autosave. */
const AUTOSAVE_DELAY_MS = 1500;
/** Longest a change waits while changes keep coming (a training loop printing). */
const AUTOSAVE_MAX_WAIT_MS = 10_000;

/**
 * Saves a document: debounced autosave after changes, explicit saves, and the
 * "changed on disk" check (an autosave never overwrites a file someone else changed).
 */
export class DocumentSaver {
  private timer: NodeJS.Timeout | null = null;
  private firstChangeAt = 0;
  /** last_modified of the file as we last read or wrote it. */
  private knownModified: string | null;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly doc: NotebookDocument,
    private readonly contents: ContentsManager,
    lastModified: string | null,
  ) {
    this.knownModified = lastModified;
    doc.save = { dirty: false, lastSaved: lastModified, diskChanged: false };
  }

  /** Called on every change of the document. */
  changed(): void {
    if (!this.doc.save.dirty) this.setState({ dirty: true });
    const now = Date.now();
    if (!this.timer) this.firstChangeAt = now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(AUTOSAVE_DELAY_MS, this.firstChangeAt + AUTOSAVE_MAX_WAIT_MS - now));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save(false);
    }, wait);
  }

  /** Saves now. `force` overwrites a file that changed on disk. Resolves when written. */
  save(force: boolean): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.saving = this.saving.then(() => this.write(force));
    return this.saving;
  }

  /** After the document was replaced from disk. */
  reloaded(lastModified: string): void {
    this.knownModified = lastModified;
    this.setState({ dirty: false, lastSaved: lastModified, diskChanged: false, error: undefined });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get pending(): boolean {
    return this.timer !== null || this.doc.save.dirty;
  }

  private async write(force: boolean): Promise<void> {
    const path = this.doc.path;
    try {
      if (!force && this.knownModified) {
        const onDisk = await this.contents.get(path, { content: false }).catch(() => null);
        if (onDisk && onDisk.last_modified !== this.knownModified) {
          this.setState({ diskChanged: true });
          return;
        }
      }
      const model = await this.contents.save(path, { type: "notebook", format: "json", content: forDisk(this.doc.state) });
      this.knownModified = model.last_modified;
      // Changes made while writing have their own autosave scheduled: still dirty.
      this.setState({ dirty: this.timer !== null, lastSaved: model.last_modified, diskChanged: false, error: undefined });
    } catch (err) {
      this.setState({ error: `Save failed: ${(err as Error).message}` });
    }
  }

  private setState(patch: Partial<NotebookDocument["save"]>): void {
    const next = { ...this.doc.save, ...patch };
    if (next.error === undefined) delete next.error;
    this.doc.save = next;
    this.doc.broadcast({ type: "save", save: next });
  }
}
