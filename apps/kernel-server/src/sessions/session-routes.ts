import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "../http/http-error.js";
import type { SessionRequest } from "./session-manager.js";
import type { WorkspaceOf } from "../users/workspace.js";

/** The body of a create or update: a JSON object. */
function sessionRequest(req: FastifyRequest): SessionRequest {
  if (typeof req.body !== "object" || req.body === null) throw new HttpError(400, "body must be a JSON object");
  return req.body as SessionRequest;
}

/** `/api/sessions`, as Jupyter Server has it; a user sees and reaches only their own sessions. */
export function sessionRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  const sessionsOf = (req: FastifyRequest) => opts.workspaceOf(req).sessions;
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  app.get("/api/sessions", async (req) => sessionsOf(req).list());
  app.get("/api/sessions/:id", async (req) => sessionsOf(req).get(idOf(req)));
  app.post("/api/sessions", async (req, reply) => {
    const body = sessionRequest(req);
    const { model } = await sessionsOf(req).create(body);
    return reply.code(201).header("location", `/api/sessions/${model.id}`).send(model);
  });
  app.patch("/api/sessions/:id", async (req) => {
    const body = sessionRequest(req);
    return sessionsOf(req).update(idOf(req), body);
  });
  app.delete("/api/sessions/:id", async (req, reply) => {
    await sessionsOf(req).delete(idOf(req));
    return reply.code(204).send();
  });
}
