import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AdminUsersModel, DistributeRequest, KernelMetrics, MeModel } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import type { MetricsHub } from "../metrics/metrics-hub.js";
import { distribute } from "./distribute.js";
import type { WorkspaceOf } from "./workspace.js";
import type { Workspaces } from "./workspaces.js";

/**
 * `GET /api/tessera/me` (anyone: who they are, their limits and their kernels' usage) and
 * the teacher's routes under `/api/tessera/admin/` (every user and kernel, distributing a
 * notebook, stopping any kernel). A student gets 403 from every admin route.
 */
export function userRoutes(app: FastifyInstance, opts: { workspaces: Workspaces; workspaceOf: WorkspaceOf; hub: MetricsHub }): void {
  const { workspaces, workspaceOf, hub } = opts;
  const usageRows = () => new Map<string, KernelMetrics>((hub.peek()?.kernels ?? []).map((k) => [k.kernelId, k]));

  app.get("/api/tessera/me", async (req): Promise<MeModel> => {
    const ws = workspaceOf(req);
    return {
      name: ws.user.name,
      role: ws.user.role,
      multiUser: workspaces.multiUser,
      limits: ws.user.limits,
      kernels: workspaces.usage(ws, usageRows()),
    };
  });

  /** Teachers only: anyone else gets 403. */
  const teacherOnly = (req: FastifyRequest): void => {
    if (workspaceOf(req).user.role !== "teacher") throw new HttpError(403, "Only a teacher can do this");
  };

  app.get("/api/tessera/admin/users", async (req) => {
    teacherOnly(req);
    const rows = usageRows();
    const model: AdminUsersModel = {
      users: workspaces
        .all()
        .map((ws) => ({ name: ws.user.name, role: ws.user.role, limits: ws.user.limits, kernels: workspaces.usage(ws, rows) })),
    };
    return model;
  });

  app.post("/api/tessera/admin/distribute", async (req) => {
    teacherOnly(req);
    const body = req.body as Partial<DistributeRequest> | undefined;
    if (!body || typeof body !== "object" || typeof body.path !== "string" || body.path === "")
      throw new HttpError(400, "path (a file in your home) is required");
    if (body.users !== undefined && (!Array.isArray(body.users) || !body.users.every((u) => typeof u === "string")))
      throw new HttpError(400, "users must be a list of user names");
    if (body.overwrite !== undefined && typeof body.overwrite !== "boolean") throw new HttpError(400, "overwrite must be true or false");
    return distribute(workspaces, workspaceOf(req), { path: body.path, users: body.users, overwrite: body.overwrite });
  });

  app.delete("/api/tessera/admin/kernels/:id", async (req, reply) => {
    teacherOnly(req);
    const found = workspaces.findKernel((req.params as { id: string }).id);
    if (!found) throw new HttpError(404, `Kernel does not exist: ${(req.params as { id: string }).id}`);
    const by = workspaceOf(req).user.name;
    found.kernel.terminate(by === found.workspace.user.name ? "stopped from the teacher page" : `stopped by the teacher (${by})`);
    return reply.code(204).send();
  });
}
