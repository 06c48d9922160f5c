import type { FastifyInstance, FastifyRequest } from "fastify";
import type { KernelSpecsModel } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import type { WorkspaceOf } from "../users/workspace.js";

export const KERNELSPECS: KernelSpecsModel = {
  default: "typescript",
  kernelspecs: {
    typescript: {
      name: "typescript",
      spec: {
        argv: ["tessera-kernel"],
        display_name: "TypeScript (Tessera)",
        language: "typescript",
        interrupt_mode: "message",
        env: {},
        metadata: { tessera: true },
      },
      resources: {},
    },
  },
};

/** `/api/kernels` and `/api/kernelspecs`, as Jupyter Server has them; a user sees and reaches only their own kernels. */
export function kernelRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  const kernelsOf = (req: FastifyRequest) => opts.workspaceOf(req).kernels;
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  app.get("/api/kernelspecs", async () => KERNELSPECS);
  app.get("/api/kernelspecs/:name", async (req) => {
    const name = (req.params as { name: string }).name;
    // Own keys only: "constructor" or "__proto__" names no kernel spec.
    if (!Object.hasOwn(KERNELSPECS.kernelspecs, name)) throw new HttpError(404, "No such kernel spec");
    return KERNELSPECS.kernelspecs[name];
  });
  app.get("/api/kernels", async (req) => kernelsOf(req).list());
  app.post("/api/kernels", async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; path?: unknown };
    if (body.name !== undefined && typeof body.name !== "string") throw new HttpError(400, "name must be a string");
    const ws = opts.workspaceOf(req);
    // The path jail's ContentsError ("outside the root") answers with its own status.
    const cwd = await ws.contents.directoryFor(typeof body.path === "string" ? body.path : "");
    const k = await ws.kernels.start(body.name || "typescript", cwd);
    return reply.code(201).header("location", `/api/kernels/${k.id}`).send(k.model());
  });
  app.get("/api/kernels/:id", async (req) => kernelsOf(req).get(idOf(req)).model());
  app.delete("/api/kernels/:id", async (req, reply) => {
    await kernelsOf(req).shutdown(idOf(req));
    return reply.code(204).send();
  });
  app.post("/api/kernels/:id/interrupt", async (req, reply) => {
    kernelsOf(req).get(idOf(req)).interrupt();
    return reply.code(204).send();
  });
  app.post("/api/kernels/:id/restart", async (req) => (await kernelsOf(req).restart(idOf(req))).model());
}
