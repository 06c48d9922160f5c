import type { ManagedKernel } from "./managed-kernel.js";
import { Periodic } from "./periodic.js";

export interface CullableKernel {
  kernel: ManagedKernel;
  idleTimeoutMs: number;
  /** Shuts the kernel down (through its user's kernel manager, so sessions and pages follow). */
  shutdown: () => Promise<void>;
}

/**
 * Shuts down kernels that have been idle (not running a cell, no message either way) for
 * longer than their user's idle timeout, as Jupyter's culler does, and dead kernels after
 * the same time. A kernel busy with a long cell is never culled.
 */
export class IdleCuller {
  private readonly periodic: Periodic;

  constructor(
    private readonly watched: () => CullableKernel[],
    periodMs = 10_000,
    private readonly log?: (level: "info" | "warn" | "error", msg: string) => void,
  ) {
    this.periodic = new Periodic(() => this.check(), periodMs);
  }

  start(): void {
    this.periodic.start();
  }

  stop(): void {
    this.periodic.stop();
  }

  /** Culls what is due now; returns the ids shut down. */
  async check(now = Date.now()): Promise<string[]> {
    const culled: string[] = [];
    for (const { kernel, idleTimeoutMs, shutdown } of this.watched()) {
      const state = kernel.executionState;
      if (state !== "idle" && state !== "dead") continue;
      const idleMs = now - kernel.lastActivity.getTime();
      if (idleMs < idleTimeoutMs) continue;
      this.log?.("info", `culling kernel ${kernel.id} of ${kernel.owner}: ${state} for ${Math.round(idleMs / 1000)} s`);
      culled.push(kernel.id);
      await shutdown().catch(() => {});
    }
    return culled;
  }
}
