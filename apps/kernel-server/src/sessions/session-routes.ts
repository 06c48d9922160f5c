import type { FastifyInstance, FastifyReply } from "fastify";
import { httpStatusOf } from "../http-status.js";
import type { SessionRequest } from "./session-manager.js";
import type { WorkspaceOf } from "../users/workspace.js";

function fail(reply: FastifyReply, err: unknown) {
  return reply.code(httpStatusOf(err)).send({ message: (err as Error).message, reason: null });
}

/** `/api/sessions`, as Jupyter Server has it; a user sees and reaches only their own sessions. */
export function sessionRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  const sessionsOf = (req: import("fastify").FastifyRequest) => opts.workspaceOf(req).sessions;
  app.get("/api/sessions", async (req) => sessionsOf(req).list());
  app.get("/api/sessions/:id", async (req, reply) => {
    try {
      return sessionsOf(req).get((req.params as { id: string }).id);
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.post("/api/sessions", async (req, reply) => {
    if (typeof req.body !== "object" || req.body === null) return reply.code(400).send({ message: "body must be a JSON object", reason: null });
    try {
      const { model } = await sessionsOf(req).create(req.body as SessionRequest);
      return reply.code(201).header("location", `/api/sessions/${model.id}`).send(model);
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.patch("/api/sessions/:id", async (req, reply) => {
    if (typeof req.body !== "object" || req.body === null) return reply.code(400).send({ message: "body must be a JSON object", reason: null });
    try {
      return await sessionsOf(req).update((req.params as { id: string }).id, req.body as SessionRequest);
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.delete("/api/sessions/:id", async (req, reply) => {
    try {
      await sessionsOf(req).delete((req.params as { id: string }).id);
      return reply.code(204).send();
    } catch (err) {
      return fail(reply, err);
    }
  });
}
