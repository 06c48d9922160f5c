import type { FastifyInstance } from "fastify";
import type { KernelSpecsModel } from "@tessera/protocol";
import { httpStatusOf } from "../http-status.js";
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

function sendError(reply: import("fastify").FastifyReply, err: unknown) {
  // A KernelError, or a ContentsError from the path jail ("outside the root"): their own status.
  return reply.code(httpStatusOf(err)).send({ message: (err as Error).message, reason: null });
}

/** `/api/kernels` and `/api/kernelspecs`, as Jupyter Server has them; a user sees and reaches only their own kernels. */
export function kernelRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  const kernelsOf = (req: import("fastify").FastifyRequest) => opts.workspaceOf(req).kernels;
  app.get("/api/kernelspecs", async () => KERNELSPECS);
  app.get("/api/kernelspecs/:name", async (req, reply) => {
    const name = (req.params as { name: string }).name;
    // Own keys only: "constructor" or "__proto__" found Object.prototype's members and answered 200.
    const spec = Object.hasOwn(KERNELSPECS.kernelspecs, name) ? KERNELSPECS.kernelspecs[name] : undefined;
    return spec ?? reply.code(404).send({ message: "No such kernel spec", reason: null });
  });
  app.get("/api/kernels", async (req) => kernelsOf(req).list());
  app.post("/api/kernels", async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; path?: unknown };
    if (body.name !== undefined && typeof body.name !== "string") return reply.code(400).send({ message: "name must be a string", reason: null });
    try {
      const ws = opts.workspaceOf(req);
      const cwd = await ws.contents.directoryFor(typeof body.path === "string" ? body.path : "");
      const k = await ws.kernels.start((body.name as string | undefined) || "typescript", cwd);
      return reply.code(201).header("location", `/api/kernels/${k.id}`).send(k.model());
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.get("/api/kernels/:id", async (req, reply) => {
    try {
      return kernelsOf(req).get((req.params as { id: string }).id).model();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.delete("/api/kernels/:id", async (req, reply) => {
    try {
      await kernelsOf(req).shutdown((req.params as { id: string }).id);
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/kernels/:id/interrupt", async (req, reply) => {
    try {
      kernelsOf(req).get((req.params as { id: string }).id).interrupt();
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/kernels/:id/restart", async (req, reply) => {
    try {
      const k = await kernelsOf(req).restart((req.params as { id: string }).id);
      return k.model();
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
