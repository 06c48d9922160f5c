import type { FastifyInstance } from "fastify";
import type { KernelSpecsModel } from "@tessera/protocol";
import { KernelError, type KernelManager } from "./kernel-manager.js";
import type { PathJail } from "../paths.js";

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
  const status = err instanceof KernelError ? err.status : 500;
  return reply.code(status).send({ message: (err as Error).message, reason: null });
}

/** `/api/kernels` and `/api/kernelspecs`, as Jupyter Server has them. */
export function kernelRoutes(app: FastifyInstance, opts: { kernels: KernelManager; jail: PathJail }): void {
  const { kernels, jail } = opts;
  app.get("/api/kernelspecs", async () => KERNELSPECS);
  app.get("/api/kernelspecs/:name", async (req, reply) => {
    const spec = KERNELSPECS.kernelspecs[(req.params as { name: string }).name];
    return spec ?? reply.code(404).send({ message: "No such kernel spec", reason: null });
  });
  app.get("/api/kernels", async () => kernels.list());
  app.post("/api/kernels", async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; path?: unknown };
    if (body.name !== undefined && typeof body.name !== "string") return reply.code(400).send({ message: "name must be a string", reason: null });
    try {
      const cwd = await jail.directoryFor(typeof body.path === "string" ? body.path : "");
      const k = await kernels.start((body.name as string | undefined) || "typescript", cwd);
      return reply.code(201).header("location", `/api/kernels/${k.id}`).send(k.model());
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.get("/api/kernels/:id", async (req, reply) => {
    try {
      return kernels.get((req.params as { id: string }).id).model();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.delete("/api/kernels/:id", async (req, reply) => {
    try {
      await kernels.shutdown((req.params as { id: string }).id);
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/kernels/:id/interrupt", async (req, reply) => {
    try {
      kernels.get((req.params as { id: string }).id).interrupt();
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.post("/api/kernels/:id/restart", async (req, reply) => {
    try {
      const k = await kernels.restart((req.params as { id: string }).id);
      return k.model();
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
