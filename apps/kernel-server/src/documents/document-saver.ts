import type { ContentsManager } from "../contents/contents-manager.js";
import type { NotebookDocument } from "./notebook-document.js";
import { forDisk } from "./output-ops.js";

/** Quiet time after the last change before an autosave. */
const AUTOSAVE_DELAY_MS = 1500;
/** Longest a change waits while changes keep coming (a training loop printing). */
const AUTOSAVE_MAX_WAIT_MS = 10_000;
/** After a failed save: wait 2 s, 4 s, 8 s… (at most SAVE_RETRY_MAX_MS) before the next try. */
export const SAVE_RETRY_FIRST_MS = 2000;
export const SAVE_RETRY_MAX_MS = 5 * 60_000;
/** Failed tries in a row after which the saver stops trying until the notebook changes or is saved by hand. */
export const SAVE_RETRY_TRIES = 4;

/** The wait after the `failures`-th failure in a row. */
export function saveBackoffMs(failures: number): number {
  return Math.min(SAVE_RETRY_MAX_MS, SAVE_RETRY_FIRST_MS * 2 ** Math.max(0, Math.min(failures - 1, 20)));
}

/**
 * Saves a document: debounced autosave after changes, explicit saves, and the
 * "changed on disk" check (an autosave never overwrites a file someone else changed).
 *
 * A save that fails (too large, disk full, no permission) is tried again after 2 s, 4 s,
 * 8 s, then not again until the notebook changes (and then no sooner than the backoff
 * says) or someone saves by hand; the page sees why in `save.error`. A notebook that
 * cannot be saved never keeps the server busy.
 */
export class DocumentSaver {
  private timer: NodeJS.Timeout | null = null;
  private firstChangeAt = 0;
  /** last_modified of the file as we last read or wrote it. */
  private knownModified: string | null;
  private saving: Promise<void> = Promise.resolve();
  /** Failed saves in a row (0 after one that worked). */
  private failures = 0;
  /** No autosave before this time (epoch ms): the backoff after a failure. */
  private notBefore = 0;

  constructor(
    private readonly doc: NotebookDocument,
    private readonly contents: ContentsManager,
    lastModified: string | null,
    /** Called after each save that worked (a document kept open by a failed save may close then). */
    private readonly onSaved: () => void = () => {},
  ) {
    this.knownModified = lastModified;
    doc.save = { dirty: false, lastSaved: lastModified, diskChanged: false };
  }

  /** Called on every change of the document. */
  changed(): void {
    if (!this.doc.save.dirty) this.setState({ dirty: true });
    const now = Date.now();
    if (this.failures > 0) {
      // After a failure a change does not hurry the next try: it waits out the backoff.
      if (!this.timer) this.schedule(Math.max(AUTOSAVE_DELAY_MS, this.notBefore - now));
      return;
    }
    if (!this.timer) this.firstChangeAt = now;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(Math.max(0, Math.min(AUTOSAVE_DELAY_MS, this.firstChangeAt + AUTOSAVE_MAX_WAIT_MS - now)));
  }

  private schedule(wait: number): void {
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
    this.failures = 0;
    this.setState({ dirty: false, lastSaved: lastModified, diskChanged: false, error: undefined });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get pending(): boolean {
    return this.timer !== null || this.doc.save.dirty;
  }

  /**
   * The last save failed, or found the file changed on disk: saving again now would fail
   * the same way, so a document nobody watches is not saved in a loop; its retries (if
   * any are left) run on their own timer.
   */
  get stuck(): boolean {
    return this.failures > 0 || this.doc.save.diskChanged;
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
      this.failures = 0;
      // Changes made while writing have their own autosave scheduled: still dirty.
      this.setState({ dirty: this.timer !== null, lastSaved: model.last_modified, diskChanged: false, error: undefined });
      this.onSaved();
    } catch (err) {
      this.failed(err as Error);
    }
  }

  /** Backs off: a retry after 2 s, 4 s, 8 s…, none after SAVE_RETRY_TRIES failures in a row. */
  private failed(err: Error): void {
    this.failures++;
    const wait = saveBackoffMs(this.failures);
    this.notBefore = Date.now() + wait;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const retry = this.failures < SAVE_RETRY_TRIES;
    if (retry) this.schedule(wait);
    const next = retry
      ? `Try ${this.failures} of ${SAVE_RETRY_TRIES}: trying again in ${Math.round(wait / 1000)} s.`
      : `Tried ${this.failures} times: not trying again until the notebook changes or you save.`;
    this.setState({ error: `Save failed: ${err.message.replace(/\.$/, "")}. ${next}` });
  }

  private setState(patch: Partial<NotebookDocument["save"]>): void {
    const next = { ...this.doc.save, ...patch };
    if (next.error === undefined) delete next.error;
    this.doc.save = next;
    this.doc.broadcast({ type: "save", save: next });
  }
}
