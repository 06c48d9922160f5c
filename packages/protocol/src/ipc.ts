/**
 * How the kernel server and a kernel process talk.
 *
 * The server forks the kernel with
 *   stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ipc"]
 * - fd 1/2: the process's raw stdout/stderr (native code, crashes): logged by the server.
 * - fd 3 ({@link INTERRUPT_FD}): server -> kernel, one byte per interrupt. A thread in the
 *   kernel reads it, so an interrupt arrives even while the main thread runs `while (true) {}`.
 * - fd 4 ({@link KERNEL_OUTPUT_FD}): kernel -> server, newline-delimited JSON of
 *   {@link FromKernel}. The kernel writes it synchronously, so a flood of output blocks the
 *   kernel (back-pressure) instead of growing memory without bound.
 * - the Node IPC channel: server -> kernel {@link ToKernel} messages.
 */
import type { Channel, JupyterMessage } from "./messages.js";

/** Server -> kernel (Node IPC channel). */
export type ToKernel =
  | { kind: "jupyter"; msg: JupyterMessage }
  /** Stop the kernel process cleanly. */
  | { kind: "shutdown" };

/** Kernel -> server (NDJSON on fd 4). */
export type FromKernel =
  | { kind: "jupyter"; channel: Channel; msg: JupyterMessage }
  /** Sent once when the kernel can accept requests. */
  | { kind: "ready"; pid: number }
  /**
   * Cell code is about to send a fatal `signal` (e.g. "SIGKILL") to the kernel's own
   * process or group (`process.kill(process.pid, 9)`): if the kernel dies of it, that is
   * the reason the server gives, not "another process" or "out of memory".
   */
  | { kind: "self_signal"; signal: string };

export const INTERRUPT_FD = 3;
export const KERNEL_OUTPUT_FD = 4;
