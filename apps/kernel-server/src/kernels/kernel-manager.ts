import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { KernelModel } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import { ManagedKernel } from "./managed-kernel.js";

export interface KernelManagerOptions {
  mainPath: string;
  /** Environment for kernels (the server's, minus secrets, plus the user's limits). */
  env: NodeJS.ProcessEnv;
  /** Node flags for kernels (a heap limit). */
  execArgv?: string[];
  /** The user these kernels belong to. */
  owner: string;
  /** The uid and gid kernels run as; null or absent: the server's own. */
  ids?: { uid: number; gid: number } | null;
  /** Kernels alive at once (dead ones do not count); null: no limit. */
  maxKernels?: number | null;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

/** One user's kernels, by id. Events: "started" (kernel), "removed" (id). */
export class KernelManager extends EventEmitter {
  private readonly kernels = new Map<string, ManagedKernel>();

  constructor(private readonly options: KernelManagerOptions) {
    super();
    // Every open kernel channel listens for "removed".
    this.setMaxListeners(0);
  }

  list(): KernelModel[] {
    return [...this.kernels.values()].map((k) => k.model());
  }

  /** Every kernel (the metrics sampler reads their processes). */
  all(): ManagedKernel[] {
    return [...this.kernels.values()];
  }

  get(id: string): ManagedKernel {
    const k = this.kernels.get(id);
    if (!k) throw new HttpError(404, `Kernel does not exist: ${id}`);
    return k;
  }

  has(id: string): boolean {
    return this.kernels.has(id);
  }

  get size(): number {
    return this.kernels.size;
  }

  /** Starts a kernel whose working directory is `cwd` (absolute, inside the root). */
  async start(name: string, cwd: string): Promise<ManagedKernel> {
    if (name !== "typescript") throw new HttpError(404, `No such kernel spec: ${name}`);
    const max = this.options.maxKernels;
    const alive = this.all().filter((k) => k.executionState !== "dead").length;
    if (max != null && alive >= max) {
      throw new HttpError(
        403,
        `Kernel limit reached: you have ${alive} kernel${alive === 1 ? "" : "s"} running and your limit is ${max}. ` +
          `Shut one down (Files page, Running kernels) before starting another.`,
      );
    }
    const { mainPath, env, execArgv, owner, ids, log } = this.options;
    const kernel = new ManagedKernel({ id: randomUUID(), name, cwd, mainPath, env, execArgv, owner, ids, log });
    this.kernels.set(kernel.id, kernel);
    try {
      await kernel.start();
    } catch (err) {
      this.kernels.delete(kernel.id);
      kernel.kill();
      throw new HttpError(500, `Kernel failed to start: ${(err as Error).message}`);
    }
    this.emit("started", kernel);
    return kernel;
  }

  async shutdown(id: string): Promise<void> {
    const k = this.get(id);
    this.kernels.delete(id);
    await k.shutdown();
    this.emit("removed", id);
  }

  async restart(id: string): Promise<ManagedKernel> {
    const k = this.get(id);
    await k.restart();
    return k;
  }

  /** Kills every kernel at once: used when the server exits, so no orphan is left. */
  killAll(): void {
    for (const k of this.kernels.values()) k.kill();
  }

  async shutdownAll(): Promise<void> {
    await Promise.all([...this.kernels.keys()].map((id) => this.shutdown(id).catch(() => {})));
  }
}
