import { createReadStream } from "node:fs";
import type { FastifyPluginAsync } from "fastify";
import { HttpError } from "../http/http-error.js";
import type { WorkspaceOf } from "../users/workspace.js";
import { guessMimeType } from "./mime.js";

/**
 * `GET /files/<path>`: a file's raw bytes, as Jupyter serves them, to view or download.
 * A user's HTML or SVG must not run in the server's origin, so every response carries
 * `Content-Security-Policy: sandbox` (an opaque origin: no cookies, no API access).
 */
export const filesRoute: FastifyPluginAsync<{ workspaceOf: WorkspaceOf }> = async (app, opts) => {
  app.get("/files/*", async (req, reply) => {
    const file = await opts.workspaceOf(req).contents.fileOnDisk(decodedPath((req.params as { "*": string })["*"]));
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
  });
};

/** The API path a `/files/` URL names; a malformed %-escape is answered 400. */
function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
}
