/** The Jupyter contents and kernels API, as the home page and the notebook header use them. */
import type { CheckpointModel, ContentsModel, KernelModel, SessionModel } from "@tessera/protocol";
import { api } from "./rest.js";
import { encodePath } from "./urls.js";

const contents = (path: string) => `api/contents/${encodePath(path)}`;

export function listDir(dir: string): Promise<ContentsModel> {
  return api<ContentsModel>("GET", `${contents(dir)}?content=1`);
}

export function createUntitled(dir: string, type: "notebook" | "directory"): Promise<ContentsModel> {
  return api<ContentsModel>("POST", contents(dir), { type });
}

export function renamePath(path: string, newPath: string): Promise<ContentsModel> {
  return api<ContentsModel>("PATCH", contents(path), { path: newPath });
}

export function deletePath(path: string): Promise<void> {
  return api<void>("DELETE", contents(path));
}

export function listCheckpoints(path: string): Promise<CheckpointModel[]> {
  return api<CheckpointModel[]>("GET", `${contents(path)}/checkpoints`);
}

export function createCheckpoint(path: string): Promise<CheckpointModel> {
  return api<CheckpointModel>("POST", `${contents(path)}/checkpoints`);
}

export function listKernels(): Promise<KernelModel[]> {
  return api<KernelModel[]>("GET", "api/kernels");
}

export function listSessions(): Promise<SessionModel[]> {
  return api<SessionModel[]>("GET", "api/sessions");
}

export function shutdownKernel(id: string): Promise<void> {
  return api<void>("DELETE", `api/kernels/${encodeURIComponent(id)}`);
}
