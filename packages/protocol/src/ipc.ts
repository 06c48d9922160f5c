/**
 * Messages between the kernel server and a kernel process (Node IPC channel).
 * Jupyter messages travel whole; the server never parses their content for routing
 * beyond channel and msg_type.
 */
import type { Channel, JupyterMessage } from "./messages.js";

/** Server -> kernel. */
export type ToKernel =
  | { kind: "jupyter"; msg: JupyterMessage }
  /** Stop the kernel process cleanly. */
  | { kind: "shutdown" };

/** Kernel -> server. */
export type FromKernel =
  | { kind: "jupyter"; channel: Channel; msg: JupyterMessage }
  /** Sent once when the kernel can accept requests. */
  | { kind: "ready"; pid: number };

/**
 * File descriptor of the interrupt pipe in the kernel process: the server writes one
 * byte per interrupt. A thread in the kernel reads it, so an interrupt arrives even
 * while the main thread runs `while (true) {}`.
 */
export const INTERRUPT_FD = 3;
