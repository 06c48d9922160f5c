/**
 * Batches a cell's text output into few `stream` messages, and caps it.
 *
 * Sparse output goes out at once: a line printed before a long synchronous computation
 * must show during it, and no timer can fire while the main thread computes. A flood
 * (`for (;;) console.log(i++)` calls us millions of times) is batched: past a few
 * messages in a 10 ms window, writes append to one pending chunk, which goes out when it
 * passes 64 KiB (synchronously, so memory stays flat and the pipe's back-pressure reaches
 * the loop), with the first write of the next window, on a timer, or before any other
 * message (so outputs keep their order). Past {@link STREAM_CAP_BYTES} per run, output is
 * dropped after one visible notice.
 */
import type { Run } from "./run.js";

export type StreamName = "stdout" | "stderr";

/** Stream output one run may produce before the rest is dropped. */
export const STREAM_CAP_BYTES = 16 * 1024 * 1024;
const FLUSH_BYTES = 64 * 1024;
const WINDOW_MS = 10;
/** Messages a window may send straight away before writes are batched. */
const WRITE_THROUGH_PER_WINDOW = 4;

interface Pending {
  run: Run | undefined;
  name: StreamName;
  chunks: string[];
  bytes: number;
}

export class StreamBatcher {
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private windowStart = 0;
  private sentInWindow = 0;

  /** `emit` sends one `stream` message for `run` (no run: output from outside any cell). */
  constructor(
    private readonly emit: (run: Run | undefined, name: StreamName, text: string) => void,
    private readonly cap = STREAM_CAP_BYTES,
  ) {}

  /** Queues text from `run`'s code on stream `name`. */
  write(run: Run | undefined, name: StreamName, text: string): void {
    if (text.length === 0) return;
    if (run) {
      if (run.truncated) return;
      const bytes = Buffer.byteLength(text);
      if (run.streamBytes + bytes > this.cap) {
        const room = Math.max(0, this.cap - run.streamBytes);
        run.streamBytes = this.cap;
        run.truncated = true;
        // Cut at a character boundary near the byte limit; exactness does not matter here.
        if (room > 0) this.append(run, name, Buffer.from(text).subarray(0, room).toString());
        this.append(run, "stderr", `\n[output truncated: this cell printed more than ${formatBytes(this.cap)}; further output is dropped]\n`);
        this.flush();
        return;
      }
      run.streamBytes += bytes;
    }
    this.append(run, name, text);
  }

  private append(run: Run | undefined, name: StreamName, text: string): void {
    if (this.pending && (this.pending.run !== run || this.pending.name !== name)) this.flush();
    this.pending ??= { run, name, chunks: [], bytes: 0 };
    this.pending.chunks.push(text);
    this.pending.bytes += text.length;
    const now = performance.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.pending.bytes >= FLUSH_BYTES || this.sentInWindow < WRITE_THROUGH_PER_WINDOW) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), WINDOW_MS).unref();
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.sentInWindow++;
    this.emit(pending.run, pending.name, pending.chunks.join(""));
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(0)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}
