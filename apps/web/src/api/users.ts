/**
 * Workshop mode's REST calls (the contract is `users.ts` in the protocol): who is logged in
 * with their limits, and the teacher's view of every user.
 */
import type { AdminUsersModel, DistributeRequest, DistributeResult, MeModel } from "@tessera/protocol";
import { api } from "./rest.js";

/** The logged-in user. Single-user servers answer too, with `multiUser: false`. */
export function getMe(): Promise<MeModel> {
  return api<MeModel>("GET", "api/tessera/me");
}

/** Every user with their kernels and what those use. Teachers only: students get a 403. */
export function listUsers(): Promise<AdminUsersModel> {
  return api<AdminUsersModel>("GET", "api/tessera/admin/users");
}

/** Copies a file from the teacher's home into the students' homes, at the same path. */
export function distribute(request: DistributeRequest): Promise<DistributeResult> {
  return api<DistributeResult>("POST", "api/tessera/admin/distribute", request);
}

/** Stops any user's kernel (the teacher's; `api/kernels/{id}` only reaches one's own). */
export function stopUserKernel(kernelId: string): Promise<void> {
  return api<void>("DELETE", `api/tessera/admin/kernels/${encodeURIComponent(kernelId)}`);
}
