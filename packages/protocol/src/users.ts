/**
 * Users, limits and the teacher's view, for workshop mode (`tessera --users users.yaml`).
 *
 * Every user has a home folder (their contents root), their own kernels and sessions, and
 * limits. A teacher is an admin: they see every user's kernels, copy notebooks into the
 * students' homes and stop any kernel. Without a users file the server has one user, the
 * person who started it, with the teacher role and no limits.
 *
 * REST:
 * - `GET /api/tessera/me` → {@link MeModel} (anyone logged in)
 * - `GET /api/tessera/admin/users` → {@link AdminUsersModel} (teachers)
 * - `POST /api/tessera/admin/distribute` {@link DistributeRequest} → {@link DistributeResult} (teachers)
 * - `DELETE /api/tessera/admin/kernels/{id}` → 204 (teachers; any user's kernel)
 *
 * @example
 * const me = (await (await fetch("/api/tessera/me")).json()) as MeModel;
 */

export type UserRole = "teacher" | "student";

/** A user's limits; null means no limit. */
export interface UserLimits {
  /** Kernels running at once. */
  maxKernels: number | null;
  /** Memory per kernel (its process and children), in bytes. Beyond it the kernel is stopped. */
  memoryBytes: number | null;
  /** A kernel idle (not running a cell) this long is shut down. */
  idleTimeoutMs: number | null;
  /** Threads a kernel's tensor ops use. */
  cpuThreads: number | null;
  /** GPUs the user's kernels see (CUDA_VISIBLE_DEVICES); null: every GPU. */
  gpus: number[] | null;
  /** The share (0..1] of each GPU's memory one kernel may take; null: all of it. */
  gpuMemoryFraction: number | null;
}

/** One kernel of a user, with what it uses now. Usage fields are null until sampled. */
export interface KernelUsage {
  kernelId: string;
  /** The notebook it runs for (a session's path), relative to the user's home. */
  notebook: string | null;
  executionState: string;
  /** ISO time of the last message to or from it. */
  lastActivity: string;
  rssBytes: number | null;
  cpuPercent: number | null;
  gpuMemoryBytes: number | null;
  /** Why it stopped, when it is dead ("stopped: memory limit of 2 GiB exceeded …"). */
  reason: string | null;
}

export interface MeModel {
  name: string;
  role: UserRole;
  /** True when the server has a users file (workshop mode). */
  multiUser: boolean;
  limits: UserLimits;
  kernels: KernelUsage[];
}

export interface AdminUserRow {
  name: string;
  role: UserRole;
  limits: UserLimits;
  kernels: KernelUsage[];
}

export interface AdminUsersModel {
  users: AdminUserRow[];
}

export interface DistributeRequest {
  /** A notebook (or any file) in the teacher's home. */
  path: string;
  /** Users to copy it to; default: every student. */
  users?: string[];
  /** Replace a file the user already has at that path (default: leave theirs alone). */
  overwrite?: boolean;
}

export interface DistributeResult {
  /** Users who got the file. */
  copied: string[];
  /** Users who did not, and why ("already has it", "no such user"). */
  skipped: Array<{ user: string; reason: string }>;
}
