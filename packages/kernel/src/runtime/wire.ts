/**
 * The kernel's outgoing pipe: newline-delimited JSON {@link FromKernel} on fd 4.
 *
 * Writes are synchronous on purpose. When the server reads slowly, a flood of output
 * blocks the kernel in `write(2)` (back-pressure) instead of queueing without bound.
 */
import fs from "node:fs";
import { KERNEL_OUTPUT_FD, type FromKernel } from "@tessera/protocol";
import { BufferFrom, MathMin } from "./primordials.js";
import { stringifyMessage } from "./wire-json.js";

// Captured: a cell may replace them on the `fs` module object it can import too.
const { writeSync, fstatSync } = fs;
const AtomicsWait = Atomics.wait;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds without spinning. */
function sleepSync(ms: number): void {
  AtomicsWait(sleepCell, 0, 0, ms);
}

/** Whether the server gave this process file descriptor `fd` (a pipe of ipc.ts's layout). */
export function fdIsOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Writes whole buffers to a file descriptor, retrying partial writes, EAGAIN and EINTR. */
export class Wire {
  /** Called when the reader is gone (EPIPE): nobody can hear us any more. */
  onClosed: () => void = () => process.exit(0);

  constructor(private readonly fd: number) {}

  /**
   * Opens fd 4 when the server gave us one; otherwise fd 1, so `node dist/main.js` run by
   * hand still shows what the kernel says.
   */
  static open(): Wire {
    return new Wire(fdIsOpen(KERNEL_OUTPUT_FD) ? KERNEL_OUTPUT_FD : 1);
  }

  /**
   * Sends one message. Blocks until the pipe took all of it. Serialized without the
   * built-ins a cell can change (see wire-json.ts).
   */
  send(message: FromKernel): void {
    this.writeAll(BufferFrom(stringifyMessage(message) + "\n", "utf8"));
  }

  private writeAll(buf: Buffer): void {
    let offset = 0;
    let backoff = 1;
    while (offset < buf.length) {
      try {
        offset += writeSync(this.fd, buf, offset, buf.length - offset);
        backoff = 1;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EWOULDBLOCK") {
          // The fd is non-blocking after all: wait for the reader instead of spinning.
          sleepSync(backoff);
          backoff = MathMin(backoff * 2, 20);
        } else if (code === "EINTR") {
          continue;
        } else if (code === "EPIPE" || code === "EBADF" || code === "ECONNRESET") {
          this.onClosed();
          return;
        } else {
          throw err;
        }
      }
    }
  }
}
