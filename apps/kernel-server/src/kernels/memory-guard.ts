import { readdir, readFile } from "node:fs/promises";
import { processRss } from "../metrics/system-sampler.js";
import { formatBytes } from "../users/units.js";
import type { ManagedKernel } from "./managed-kernel.js";
import { Periodic } from "./periodic.js";

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

/** Resident memory of a process and everything it started; null when the process is gone. */
export async function processTreeRss(pid: number): Promise<number | null> {
  const own = await processRss(pid);
  if (own === null) return null;
  let total = own;
  for (const c of await descendants(pid)) total += (await processRss(c)) ?? 0;
  return total;
}

export interface GuardedKernel {
  kernel: ManagedKernel;
  limitBytes: number;
}

/**
 * Stops kernels whose resident memory (with their children) goes past their user's limit,
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
      for (const { kernel, limitBytes } of this.watched()) {
        if (kernel.executionState === "dead" || !kernel.pid) continue;
        const rss = await processTreeRss(kernel.pid);
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
