import { getHeapStatistics } from "node:v8";
import type { FastifyRequest } from "fastify";
import type { UserLimits } from "@tessera/protocol";
import { ContentsManager } from "../contents/contents-manager.js";
import { OwnedContentsManager } from "./owned-contents.js";
import { DocumentManager } from "../documents/document-manager.js";
import { KernelManager } from "../kernels/kernel-manager.js";
import { SessionManager } from "../sessions/session-manager.js";
import type { UserAccount } from "./users-file.js";

/** Everything one user owns: their files (home), kernels, sessions and open notebooks. */
export interface Workspace {
  user: UserAccount;
  contents: ContentsManager;
  kernels: KernelManager;
  sessions: SessionManager;
  docs: DocumentManager;
}

export interface WorkspaceDeps {
  /** The kernel's entry point. */
  mainPath: string;
  /** The server's environment without its secrets. */
  baseEnv: NodeJS.ProcessEnv;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

/** Resident memory of a kernel before it holds any tensor (Node, the TypeScript compiler), with room to spare. */
export const KERNEL_OVERHEAD_BYTES = 200 * 2 ** 20;

/** A kernel's environment under `limits`: which GPUs it sees, how many threads, how much memory its tensors may take. */
export function kernelEnvFor(base: NodeJS.ProcessEnv, user: UserAccount, multiUser: boolean, limits: UserLimits): NodeJS.ProcessEnv {
  const env = { ...base };
  if (multiUser) env.TESSERA_USER = user.name;
  if (user.kernelIds) {
    // Their own uid: their home is their HOME (caches, ~), not the server's.
    env.HOME = user.home;
    env.USER = env.LOGNAME = user.name;
  }
  if (limits.gpus) env.CUDA_VISIBLE_DEVICES = limits.gpus.join(",");
  if (limits.gpuMemoryFraction) env.TESSERA_CUDA_MEMORY_FRACTION = String(limits.gpuMemoryFraction);
  if (limits.cpuThreads) {
    for (const key of ["TESSERA_NUM_THREADS", "TESSERA_MAX_NUM_THREADS", "OMP_NUM_THREADS", "UV_THREADPOOL_SIZE"])
      env[key] = String(limits.cpuThreads);
  }
  // Tensors get the limit less room for the process itself (Node, the compiler: ~100-150 MiB
  // resident), so an allocation that would pass the limit fails in the cell, with a message,
  // before the server's guard has to stop the kernel.
  if (limits.memoryBytes)
    env.TESSERA_MEMORY_LIMIT = String(Math.max(limits.memoryBytes - KERNEL_OVERHEAD_BYTES, Math.floor(limits.memoryBytes / 2)));
  return env;
}

/**
 * Node flags under `limits`: the JavaScript heap may not outgrow the memory limit. Only
 * ever lowered: a limit above Node's own heap limit leaves Node's (and its GC) alone.
 */
export function kernelExecArgv(limits: UserLimits): string[] {
  const mib = limits.memoryBytes ? Math.max(64, Math.floor(limits.memoryBytes / 2 ** 20)) : Infinity;
  return mib < getHeapStatistics().heap_size_limit / 2 ** 20 ? [`--max-old-space-size=${mib}`] : [];
}

/** Builds a user's workspace over their home folder. */
export function createWorkspace(user: UserAccount, deps: WorkspaceDeps, multiUser: boolean): Workspace {
  const contents = user.kernelIds ? new OwnedContentsManager(user.home, user.kernelIds) : new ContentsManager(user.home);
  const kernels = new KernelManager({
    ids: user.kernelIds,
    mainPath: deps.mainPath,
    env: kernelEnvFor(deps.baseEnv, user, multiUser, user.limits),
    execArgv: kernelExecArgv(user.limits),
    owner: user.name,
    maxKernels: user.limits.maxKernels,
    log: deps.log,
  });
  const sessions = new SessionManager(kernels, { directoryFor: (path: string) => contents.directoryFor(path) });
  const docs = new DocumentManager(contents, sessions, kernels);
  return { user, contents, kernels, sessions, docs };
}

/** The workspace of the user a request authenticated as (routes reach nothing else). */
export type WorkspaceOf = (req: FastifyRequest) => Workspace;
