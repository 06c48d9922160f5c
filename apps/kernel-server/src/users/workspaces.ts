import { EventEmitter } from "node:events";
import type { KernelUsage, KernelMetrics } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import { IdleCuller } from "../kernels/idle-culler.js";
import type { ManagedKernel } from "../kernels/managed-kernel.js";
import { MemoryGuard } from "../kernels/memory-guard.js";
import type { UserAccount } from "./users-file.js";
import { createWorkspace, type Workspace, type WorkspaceDeps } from "./workspace.js";

/** Where the memory guard and the culler look, and how often (tests shorten them). */
export interface LimitTimings {
  memoryCheckMs: number;
  cullCheckMs: number;
}

/**
 * Every user's workspace, by name. Routes reach a workspace only through the user a request
 * authenticated as, so a user cannot name another's kernel, session or file: to them it
 * does not exist. The teacher's routes use {@link findKernel} and {@link all}.
 * Events: "kernel-started" (kernel), "kernel-removed" (id).
 */
export class Workspaces extends EventEmitter {
  private readonly byName = new Map<string, Workspace>();
  private readonly guard: MemoryGuard;
  private readonly culler: IdleCuller;

  constructor(
    users: UserAccount[],
    deps: WorkspaceDeps,
    /** True with a users file (workshop mode). */
    readonly multiUser: boolean,
    timings: LimitTimings = { memoryCheckMs: 500, cullCheckMs: 10_000 },
  ) {
    super();
    this.setMaxListeners(0);
    for (const user of users) {
      const ws = createWorkspace(user, deps, multiUser);
      ws.kernels.on("started", (k: ManagedKernel) => this.emit("kernel-started", k));
      ws.kernels.on("removed", (id: string) => this.emit("kernel-removed", id));
      this.byName.set(user.name, ws);
    }
    this.guard = new MemoryGuard(
      () =>
        this.all().flatMap((ws) =>
          ws.user.limits.memoryBytes ? ws.kernels.all().map((kernel) => ({ kernel, limitBytes: ws.user.limits.memoryBytes! })) : [],
        ),
      timings.memoryCheckMs,
      deps.log,
    );
    this.culler = new IdleCuller(
      () =>
        this.all().flatMap((ws) =>
          ws.user.limits.idleTimeoutMs
            ? ws.kernels
                .all()
                .map((kernel) => ({ kernel, idleTimeoutMs: ws.user.limits.idleTimeoutMs!, shutdown: () => ws.kernels.shutdown(kernel.id) }))
            : [],
        ),
      timings.cullCheckMs,
      deps.log,
    );
    if (this.all().some((ws) => ws.user.limits.memoryBytes)) this.guard.start();
    if (this.all().some((ws) => ws.user.limits.idleTimeoutMs)) this.culler.start();
  }

  /** The workspace of a user who authenticated (an unknown name is a server bug, so it throws). */
  get(name: string): Workspace {
    const ws = this.byName.get(name);
    if (!ws) throw new HttpError(403, `No such user: ${name}`);
    return ws;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): Workspace[] {
    return [...this.byName.values()];
  }

  /** Every kernel of every user (the metrics sampler reads their processes). */
  kernels(): ManagedKernel[] {
    return this.all().flatMap((ws) => ws.kernels.all());
  }

  /** A kernel by id, whoever owns it (teacher routes only). */
  findKernel(id: string): { workspace: Workspace; kernel: ManagedKernel } | null {
    for (const workspace of this.all()) if (workspace.kernels.has(id)) return { workspace, kernel: workspace.kernels.get(id) };
    return null;
  }

  /** The notebook a kernel runs for, from its owner's sessions. */
  notebookOf(kernelId: string): string | null {
    const found = this.findKernel(kernelId);
    if (!found) return null;
    return found.workspace.sessions.list().find((s) => s.kernel?.id === kernelId)?.path ?? null;
  }

  /** The memory guard's pass, now (tests). */
  checkMemory(): Promise<void> {
    return this.guard.check();
  }

  /** The culler's pass, now (tests). */
  cullIdle(now?: number): Promise<string[]> {
    return this.culler.check(now);
  }

  /** A user's kernels with their latest usage (from the metrics sampler's rows, by kernel id). */
  usage(ws: Workspace, rows: Map<string, KernelMetrics>): KernelUsage[] {
    return ws.kernels.all().map((k) => {
      const m = rows.get(k.id);
      return {
        kernelId: k.id,
        notebook: ws.sessions.list().find((s) => s.kernel?.id === k.id)?.path ?? null,
        executionState: k.executionState,
        lastActivity: k.lastActivity.toISOString(),
        rssBytes: m?.rssBytes ?? null,
        cpuPercent: m?.cpuPercent ?? null,
        gpuMemoryBytes: m?.gpuMemoryBytes ?? null,
        reason: k.reason ?? null,
      };
    });
  }

  async flushAll(): Promise<void> {
    await Promise.all(this.all().map((ws) => ws.docs.flushAll()));
  }

  async shutdownAll(): Promise<void> {
    this.guard.stop();
    this.culler.stop();
    await Promise.all(this.all().map((ws) => ws.kernels.shutdownAll()));
  }

  killAll(): void {
    for (const ws of this.all()) ws.kernels.killAll();
  }
}
