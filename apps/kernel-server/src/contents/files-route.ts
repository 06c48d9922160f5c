import { createReadStream } from "node:fs";
import type { FastifyPluginAsync } from "fastify";
import { ContentsError } from "./contents-error.js";
import type { WorkspaceOf } from "../users/workspace.js";
import { guessMimeType } from "./mime.js";

/**
 * `GET /files/<path>`: a file's raw bytes, as Jupyter serves them, to view or download.
 * A user's HTML or SVG must not run in the server's origin, so every response carries
 * `Content-Security-Policy: sandbox` (an opaque origin: no cookies, no API access).
 */
export const filesRoute: FastifyPluginAsync<{ workspaceOf: WorkspaceOf }> = async (app, opts) => {
  app.get("/files/*", async (req, reply) => {
    const path = (req.params as { "*": string })["*"];
    try {
      const file = await opts.workspaceOf(req).contents.fileOnDisk(decodeURIComponent(path));
      const download = (req.query as Record<string, unknown>).download !== undefined;
      const type = guessMimeType(file.name) ?? "application/octet-stream";
      return reply
        .header("content-type", type.startsWith("text/") ? `${type}; charset=utf-8` : type)
        .header("content-length", String(file.size))
        .header("content-security-policy", "sandbox")
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-cache")
        .header("content-disposition", `${download ? "attachment" : "inline"}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .send(createReadStream(file.realPath));
    } catch (err) {
      const status = err instanceof ContentsError ? err.status : 400;
      return reply.code(status).send({ message: (err as Error).message, reason: null });
    }
  });
};
