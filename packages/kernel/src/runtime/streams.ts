/**
 * Batches a cell's text output into few `stream` messages, and caps it.
 *
 * Sparse output goes out at once: a line printed before a long synchronous computation
 * must show during it, and no timer can fire while the main thread computes. A flood
 * (`for (;;) console.log(i++)` calls us millions of times) is batched: past a few
 * messages in a 10 ms window, writes append to one pending chunk, which goes out when it
 * passes 64 KiB (synchronously, so memory stays flat and the pipe's back-pressure reaches
 * the loop), with the first write of the next window, on a timer, or before any other
 * message (so outputs keep their order).
 *
 * Past {@link STREAM_CAP_BYTES} per run, output goes to a rolling tail of the last
 * {@link STREAM_TAIL_BYTES}; what falls out of it is counted. The tail goes out when the
 * run finishes (before its result and reply), or once its output has been quiet for a
 * second (late output of a finished cell), after a notice of what was not shown:
 * `[output truncated: 1,234,567 bytes not shown]`. So a cell's last words (`AFTER` below a
 * huge print) always arrive, and nothing is dropped without saying so.
 */
import {
  ArrayPrototypeJoin,
  ArrayPrototypePush,
  ArrayPrototypeSlice,
  ArrayPrototypeSplice,
  BufferByteLength,
  BufferFrom,
  BufferPrototypeSubarray,
  BufferPrototypeToString,
  ClearTimeout,
  MathMin,
  MathTrunc,
  PerformanceNow,
  SetTimeout,
  StringPrototypeSlice,
} from "./primordials.js";
import type { Run } from "./run.js";

export type StreamName = "stdout" | "stderr";

/** Stream output of one run sent as it comes; past it, only a rolling tail is kept. */
export const STREAM_CAP_BYTES = 16 * 1024 * 1024;
/** The rolling tail kept of a run's output past {@link STREAM_CAP_BYTES}. */
export const STREAM_TAIL_BYTES = 1024 * 1024;
const FLUSH_BYTES = 64 * 1024;
const WINDOW_MS = 10;
/** Messages a window may send straight away before writes are batched. */
const WRITE_THROUGH_PER_WINDOW = 4;
/** A tail goes out once its run printed nothing for this long. */
const TAIL_QUIET_MS = 1000;

interface Pending {
  run: Run | undefined;
  name: StreamName;
  chunks: string[];
  bytes: number;
}

interface TailChunk {
  name: StreamName;
  text: string;
  bytes: number;
}

/** What a run printed past the cap, newest {@link STREAM_TAIL_BYTES} only. */
interface Tail {
  run: Run;
  /** chunks[first..] are live; the dead prefix is cut off now and then. */
  chunks: TailChunk[];
  first: number;
  bytes: number;
  /** Bytes that fell out of the tail since it last went out. */
  dropped: number;
  lastWrite: number;
}

/**
 * "1,234,567" (no locale lookups: cells may have replaced `toLocaleString`).
 * @example groupDigits(1234567) // "1,234,567"
 */
export function groupDigits(n: number): string {
  let digits = `${MathTrunc(n)}`;
  let out = "";
  while (digits.length > 3) {
    out = `,${StringPrototypeSlice(digits, -3)}${out}`;
    digits = StringPrototypeSlice(digits, 0, -3);
  }
  return digits + out;
}

/** The notice that stands for text not sent. */
export function truncationNotice(droppedBytes: number): string {
  return `\n[output truncated: ${groupDigits(droppedBytes)} bytes not shown]\n`;
}

export class StreamBatcher {
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private windowStart = 0;
  private sentInWindow = 0;
  private readonly tails: Tail[] = [];
  private tailTimer: NodeJS.Timeout | undefined;

  /** `emit` sends one `stream` message for `run` (no run: output from outside any cell). */
  constructor(
    private readonly emit: (run: Run | undefined, name: StreamName, text: string) => void,
    private readonly cap = STREAM_CAP_BYTES,
    private readonly tailCap = STREAM_TAIL_BYTES,
  ) {}

  /** Queues text from `run`'s code on stream `name`. */
  write(run: Run | undefined, name: StreamName, text: string): void {
    if (text.length === 0) return;
    if (run) {
      if (run.truncated) return this.toTail(run, name, text, BufferByteLength(text));
      const bytes = BufferByteLength(text);
      if (run.streamBytes + bytes > this.cap) {
        const room = this.cap - run.streamBytes;
        run.streamBytes = this.cap;
        run.truncated = true;
        // Cut at the byte limit; a character split there shows as U+FFFD, which is fine here.
        const whole = BufferFrom(text);
        if (room > 0) this.append(run, name, BufferPrototypeToString(BufferPrototypeSubarray(whole, 0, room)));
        // The whole head goes out now: a loop that keeps printing leaves no timer a chance.
        this.flush();
        this.toTail(run, name, BufferPrototypeToString(BufferPrototypeSubarray(whole, room)), bytes - room);
        return;
      }
      run.streamBytes += bytes;
    }
    this.append(run, name, text);
  }

  private append(run: Run | undefined, name: StreamName, text: string): void {
    if (this.pending && (this.pending.run !== run || this.pending.name !== name)) this.flush();
    this.pending ??= { run, name, chunks: [], bytes: 0 };
    ArrayPrototypePush(this.pending.chunks, text);
    this.pending.bytes += text.length;
    const now = PerformanceNow();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.pending.bytes >= FLUSH_BYTES || this.sentInWindow < WRITE_THROUGH_PER_WINDOW) this.flush();
    else this.timer ??= SetTimeout(() => this.flush(), WINDOW_MS).unref();
  }

  /** Sends what is pending now (tails wait for their run to finish or go quiet). */
  flush(): void {
    if (this.timer) {
      ClearTimeout(this.timer);
      this.timer = undefined;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.sentInWindow++;
    this.emit(pending.run, pending.name, ArrayPrototypeJoin(pending.chunks, ""));
  }

  /** `run` finished: its tail (with the notice of what was dropped) goes out before its result and reply. */
  finishRun(run: Run): void {
    for (let i = 0; i < this.tails.length; i++) {
      if (this.tails[i].run === run) return this.sendTail(i);
    }
  }

  /** Sends everything held, tails included (the process is about to exit). */
  drain(): void {
    this.flush();
    while (this.tails.length > 0) this.sendTail(0);
  }

  private toTail(run: Run, name: StreamName, text: string, bytes: number): void {
    let tail: Tail | undefined;
    for (let i = 0; i < this.tails.length && !tail; i++) if (this.tails[i].run === run) tail = this.tails[i];
    if (!tail) {
      tail = { run, chunks: [], first: 0, bytes: 0, dropped: 0, lastWrite: 0 };
      ArrayPrototypePush(this.tails, tail);
    }
    tail.lastWrite = PerformanceNow();
    ArrayPrototypePush(tail.chunks, { name, text, bytes });
    tail.bytes += bytes;
    this.trim(tail);
    this.tailTimer ??= SetTimeout(() => this.onTailTimer(), TAIL_QUIET_MS).unref();
  }

  /** Drops the oldest text until the tail fits (the last chunk keeps its end when it alone is too big). */
  private trim(tail: Tail): void {
    while (tail.bytes > this.tailCap) {
      const oldest = tail.chunks[tail.first];
      const excess = tail.bytes - this.tailCap;
      if (oldest.bytes <= excess) {
        tail.first++;
        tail.bytes -= oldest.bytes;
        tail.dropped += oldest.bytes;
      } else {
        oldest.text = BufferPrototypeToString(BufferPrototypeSubarray(BufferFrom(oldest.text), excess));
        oldest.bytes -= excess;
        tail.bytes -= excess;
        tail.dropped += excess;
      }
    }
    if (tail.first > 1024 && tail.first * 2 > tail.chunks.length) {
      tail.chunks = ArrayPrototypeSlice(tail.chunks, tail.first);
      tail.first = 0;
    }
  }

  private onTailTimer(): void {
    this.tailTimer = undefined;
    const now = PerformanceNow();
    let wait = Infinity;
    for (let i = this.tails.length - 1; i >= 0; i--) {
      const quietFor = now - this.tails[i].lastWrite;
      if (quietFor >= TAIL_QUIET_MS) this.sendTail(i);
      else wait = MathMin(wait, TAIL_QUIET_MS - quietFor);
    }
    if (wait !== Infinity) this.tailTimer = SetTimeout(() => this.onTailTimer(), wait).unref();
  }

  /** Sends tail `index`: the notice (if text fell out), then the text it kept, in order. */
  private sendTail(index: number): void {
    const tail = this.tails[index];
    ArrayPrototypeSplice(this.tails, index, 1);
    this.flush();
    if (tail.dropped > 0) this.emit(tail.run, "stderr", truncationNotice(tail.dropped));
    let name: StreamName | undefined;
    let texts: string[] = [];
    for (let i = tail.first; i < tail.chunks.length; i++) {
      const chunk = tail.chunks[i];
      if (name !== undefined && chunk.name !== name) {
        this.emit(tail.run, name, ArrayPrototypeJoin(texts, ""));
        texts = [];
      }
      name = chunk.name;
      ArrayPrototypePush(texts, chunk.text);
    }
    if (name !== undefined) this.emit(tail.run, name, ArrayPrototypeJoin(texts, ""));
  }
}
