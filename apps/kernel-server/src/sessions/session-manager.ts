import { randomUUID } from "node:crypto";
import type { SessionModel } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import type { KernelManager } from "../kernels/kernel-manager.js";

/** Where a session's kernel runs (the contents manager: paths jailed to the root). */
export interface KernelDirectories {
  /** The directory a kernel for `path` runs in: the path itself if a directory, else its parent. */
  directoryFor(path: string): Promise<string>;
}

interface Session {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string | null;
}

export interface SessionRequest {
  path?: unknown;
  name?: unknown;
  type?: unknown;
  kernel?: { id?: unknown; name?: unknown } | null;
}

/** Jupyter's sessions: a notebook (or console) path bound to a kernel. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being created, by path. */
  private readonly creating = new Map<string, Promise<{ model: SessionModel; created: boolean }>>();

  constructor(
    private readonly kernels: KernelManager,
    private readonly jail: KernelDirectories,
  ) {
    kernels.on("removed", (id: string) => {
      for (const s of this.sessions.values()) if (s.kernelId === id) this.sessions.delete(s.id);
    });
  }

  private model(s: Session): SessionModel {
    const kernel = s.kernelId && this.kernels.has(s.kernelId) ? this.kernels.get(s.kernelId).model() : null;
    return { id: s.id, path: s.path, name: s.name, type: s.type, kernel, notebook: { path: s.path, name: s.name } };
  }

  list(): SessionModel[] {
    return [...this.sessions.values()].map((s) => this.model(s));
  }

  get(id: string): SessionModel {
    const s = this.sessions.get(id);
    if (!s) throw new HttpError(404, `Session not found: ${id}`);
    return this.model(s);
  }

  findByPath(path: string): SessionModel | undefined {
    for (const s of this.sessions.values()) if (s.path === path) return this.model(s);
    return undefined;
  }

  private async kernelFor(path: string, kernel: SessionRequest["kernel"]): Promise<string> {
    if (kernel && typeof kernel.id === "string" && kernel.id) {
      this.kernels.get(kernel.id);
      return kernel.id;
    }
    const name = kernel && typeof kernel.name === "string" && kernel.name ? kernel.name : "typescript";
    const cwd = await this.jail.directoryFor(path);
    return (await this.kernels.start(name, cwd)).id;
  }

  /**
   * Creates a session, or returns the one that exists for this path (as Jupyter does).
   * Two requests for the same path at once get one session and one kernel: the second
   * waits for the first.
   */
  async create(req: SessionRequest): Promise<{ model: SessionModel; created: boolean }> {
    const path =
      typeof req.path === "string"
        ? req.path
        : typeof (req as { notebook?: { path?: unknown } }).notebook?.path === "string"
          ? String((req as { notebook: { path: string } }).notebook.path)
          : null;
    if (path === null) throw new HttpError(400, "session needs a path");
    const pending = this.creating.get(path);
    if (pending) {
      await pending.catch(() => {});
      return this.create(req);
    }
    const p = this.createNow(path, req);
    this.creating.set(path, p);
    try {
      return await p;
    } finally {
      this.creating.delete(path);
    }
  }

  private async createNow(path: string, req: SessionRequest): Promise<{ model: SessionModel; created: boolean }> {
    const existing = [...this.sessions.values()].find((s) => s.path === path && s.kernelId && this.kernels.has(s.kernelId));
    if (existing) return { model: this.model(existing), created: false };
    const kernelId = await this.kernelFor(path, req.kernel);
    const s: Session = {
      id: randomUUID(),
      path,
      name: typeof req.name === "string" ? req.name : (path.split("/").pop() ?? path),
      type: typeof req.type === "string" ? req.type : "notebook",
      kernelId,
    };
    this.sessions.set(s.id, s);
    return { model: this.model(s), created: true };
  }

  /** Renames the session or swaps its kernel (the old kernel is shut down if no other session uses it). */
  async update(id: string, req: SessionRequest): Promise<SessionModel> {
    const s = this.sessions.get(id);
    if (!s) throw new HttpError(404, `Session not found: ${id}`);
    if (typeof req.path === "string") s.path = req.path;
    if (typeof req.name === "string") s.name = req.name;
    if (typeof req.type === "string") s.type = req.type;
    if (req.kernel && (typeof req.kernel.id === "string" || typeof req.kernel.name === "string")) {
      const old = s.kernelId;
      const wantsSame = typeof req.kernel.id === "string" && req.kernel.id === old;
      if (!wantsSame) {
        s.kernelId = await this.kernelFor(s.path, req.kernel);
        if (old && old !== s.kernelId && ![...this.sessions.values()].some((o) => o.kernelId === old) && this.kernels.has(old)) {
          await this.kernels.shutdown(old).catch(() => {});
        }
      }
    }
    return this.model(s);
  }

  /** Deletes the session and shuts its kernel down. */
  async delete(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) throw new HttpError(404, `Session not found: ${id}`);
    this.sessions.delete(id);
    if (s.kernelId && this.kernels.has(s.kernelId)) await this.kernels.shutdown(s.kernelId);
  }

  /** Follows a rename of a notebook. */
  renamePath(oldPath: string, newPath: string): void {
    for (const s of this.sessions.values()) {
      if (s.path === oldPath) {
        s.path = newPath;
        s.name = newPath.split("/").pop() ?? newPath;
      }
    }
  }
}
