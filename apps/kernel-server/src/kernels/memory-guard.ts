import { readdir, readFile } from "node:fs/promises";
import { processRss } from "../metrics/system-sampler.js";
import { formatBytes } from "../users/units.js";
import type { ManagedKernel } from "./managed-kernel.js";
import { Periodic } from "./periodic.js";
import { processGroups } from "./process-group.js";

/** The pids a process started (from /proc/<pid>/task/<tid>/children), and theirs, a bounded number. */
async function descendants(pid: number, limit = 256): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < limit) {
    const p = queue.shift()!;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      const text = await readFile(`/proc/${p}/task/${t}/children`, "utf8").catch(() => "");
      for (const c of text.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/**
 * Resident memory of a process, everything it started, and `alsoCount` (the other members
 * of its process group: a child reparented to PID 1 is no descendant any more, but it is
 * still the kernel's); each process once. Null when the process is gone.
 */
export async function processTreeRss(pid: number, alsoCount: readonly number[] = []): Promise<number | null> {
  const own = await processRss(pid);
  if (own === null) return null;
  let total = own;
  const others = new Set([...(await descendants(pid)), ...alsoCount]);
  others.delete(pid);
  for (const c of others) total += (await processRss(c)) ?? 0;
  return total;
}

export interface GuardedKernel {
  kernel: ManagedKernel;
  limitBytes: number;
}

/**
 * Stops kernels whose resident memory (with every process they started, descendants and
 * the rest of their process group) goes past their user's limit,
 * with a reason that says so; the server and every other kernel go on. The kernel's own
 * tensor allocator refuses allocations past the same limit first (a catchable error in the
 * cell); this catches everything else (JavaScript arrays, native libraries).
 */
export class MemoryGuard {
  private readonly periodic: Periodic;
  private running = false;

  constructor(
    private readonly watched: () => GuardedKernel[],
    periodMs = 500,
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

  /** One pass over the watched kernels (the timer calls it; tests may too). */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const watched = this.watched().filter(({ kernel }) => kernel.executionState !== "dead" && kernel.pid);
      if (watched.length === 0) return;
      // One pass over /proc for every kernel's group.
      const groups = await processGroups();
      for (const { kernel, limitBytes } of watched) {
        if (kernel.executionState === "dead" || !kernel.pid) continue;
        const rss = await processTreeRss(kernel.pid, kernel.pgid !== undefined ? (groups.get(kernel.pgid) ?? []) : []);
        if (rss === null || rss <= limitBytes) continue;
        const reason = `stopped: it used ${formatBytes(rss)} of memory, over its limit of ${formatBytes(limitBytes)} (free memory with tensor.dispose() or tt.tidy, or use smaller batches)`;
        this.log?.("warn", `kernel ${kernel.id} of ${kernel.owner} ${reason}`);
        kernel.terminate(reason);
      }
    } finally {
      this.running = false;
    }
  }
}
