import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { ContentType, ContentsModel } from "@tessera/protocol";
import { ContentsError } from "./contents-error.js";
import type { ContentsManager } from "./contents-manager.js";

/** Options of the contents routes plugin. */
export interface ContentsRoutesOptions {
  /** The contents the routes serve (and whose size limit sets the body limit). */
  contents: ContentsManager;
  /** The contents of the user a request comes from; default: `contents` for everyone. */
  contentsOf?: (req: FastifyRequest) => ContentsManager;
  /** Largest request body in bytes. Default: room for a base64 file of `maxFileSize`. */
  bodyLimit?: number;
}

type Target = { kind: "contents"; path: string } | { kind: "checkpoints"; path: string } | { kind: "checkpoint"; path: string; id: string };

type Body = Record<string, unknown>;

const CONTENT_TYPES = new Set(["notebook", "file", "directory"]);
const CHECKPOINT_ID = /^[\w-]+$/;

const badRequest = (message: string) => new ContentsError(400, message);

/** Jupyter's URL escaping of an API path: each name percent-encoded, "/" kept. */
function escapePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The last value of a query parameter, as Tornado's get_query_argument. */
function queryArg(query: unknown, name: string): string | undefined {
  if (!isObject(query)) return undefined;
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === "string" ? last : undefined;
}

/**
 * Jupyter Server's contents REST API (`/api/contents`) over a ContentsManager, as a
 * Fastify plugin. Auth, body parsing and error answers are the app's: register it behind
 * the app's auth hook, body parsers and error handler (`http/`).
 *
 * - `GET /api/contents/<path>?type=&format=&content=0|1&hash=0|1`: a model
 * - `PUT /api/contents/<path>` `{type, format, content}`: save (201 new, 200 replaced);
 *   `{copy_from}`: copy to exactly this path (201)
 * - `POST /api/contents/<dir>` `{type, ext}` or `{copy_from}`: new untitled or copy (201)
 * - `PATCH /api/contents/<path>` `{path}`: rename; `DELETE`: 204
 * - `GET|POST /api/contents/<path>/checkpoints`, `POST|DELETE .../checkpoints/<id>`
 *
 * Errors are thrown as ContentsErrors, answered `{message, reason}` with their status.
 *
 * @example
 * await app.register(contentsRoutes, { contents: new ContentsManager(root) });
 */
export const contentsRoutes: FastifyPluginAsync<ContentsRoutesOptions> = async (app, opts) => {
  const { contents } = opts;
  const contentsOf = opts.contentsOf ?? (() => contents);
  const base = `${app.prefix}/api/contents`;
  const bodyLimit = opts.bodyLimit ?? Math.ceil((contents.maxFileSize * 4) / 3) + 1024 * 1024;

  /** The API path and which resource a request names, from the raw (still encoded) URL. */
  function targetOf(req: FastifyRequest): Target {
    const urlPath = req.url.split("?", 1)[0];
    let raw: string;
    if (urlPath === base || urlPath.startsWith(`${base}/`)) raw = urlPath.slice(base.length);
    else raw = `/${escapePath((req.params as { "*"?: string })["*"] ?? "")}`;
    let names: string[];
    try {
      names = raw.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw badRequest("Malformed URL path");
    }
    const rawNames = raw.split("/").slice(1);
    const n = rawNames.length;
    if (n >= 1 && rawNames[n - 1] === "checkpoints") {
      return { kind: "checkpoints", path: names.slice(0, -1).join("/") };
    }
    if (n >= 2 && rawNames[n - 2] === "checkpoints" && CHECKPOINT_ID.test(rawNames[n - 1])) {
      return { kind: "checkpoint", path: names.slice(0, -2).join("/"), id: names[n - 1] };
    }
    return { kind: "contents", path: names.join("/") };
  }

  function sendModel(reply: FastifyReply, status: number, model: ContentsModel, location: boolean) {
    if (location) void reply.header("Location", `${base}/${escapePath(model.path)}`);
    void reply.header("Last-Modified", new Date(model.last_modified).toUTCString());
    return reply.code(status).send(model);
  }

  function bodyObject(req: FastifyRequest): Body | undefined {
    if (req.body === undefined || req.body === null) return undefined;
    if (!isObject(req.body)) throw badRequest("The request body must be a JSON object");
    return req.body;
  }

  function stringField(body: Body, name: string): string | undefined {
    const value = body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw badRequest(`${name} must be a string`);
    return value;
  }

  async function newUntitled(c: ContentsManager, reply: FastifyReply, path: string, body: Body | undefined) {
    const ext = body ? stringField(body, "ext") : undefined;
    let type = body ? body.type : undefined;
    if (type !== undefined && type !== null && type !== "" && !CONTENT_TYPES.has(type as string)) type = "file";
    const model = await c.newUntitled(path, { type: (type || undefined) as ContentType | undefined, ext });
    return sendModel(reply, 201, model, true);
  }

  async function getContents(c: ContentsManager, req: FastifyRequest, reply: FastifyReply, path: string) {
    let type = queryArg(req.query, "type") || undefined;
    if (type !== undefined && !CONTENT_TYPES.has(type)) type = "file";
    const format = queryArg(req.query, "format") || undefined;
    if (format !== undefined && format !== "text" && format !== "base64") {
      throw badRequest(`Format ${JSON.stringify(format)} is invalid`);
    }
    const content = queryArg(req.query, "content") ?? "1";
    if (content !== "0" && content !== "1") throw badRequest(`Content ${JSON.stringify(content)} is invalid`);
    const hash = queryArg(req.query, "hash") ?? "0";
    if (hash !== "0" && hash !== "1") throw badRequest(`Hash ${JSON.stringify(hash)} is invalid`);
    const model = await c.get(path, {
      type: type as ContentType | undefined,
      format,
      content: content === "1",
      hash: hash === "1",
    });
    void reply.header("Cache-Control", "no-store");
    return sendModel(reply, 200, model, false);
  }

  async function putContents(c: ContentsManager, req: FastifyRequest, reply: FastifyReply, path: string) {
    const body = bodyObject(req);
    if (!body || Object.keys(body).length === 0) return newUntitled(c, reply, path, undefined);
    const copyFrom = stringField(body, "copy_from");
    if (copyFrom !== undefined) return sendModel(reply, 201, await c.copy(copyFrom, path), true);
    const model = { ...body };
    if (model.type !== undefined && model.type !== null && model.type !== "" && !CONTENT_TYPES.has(model.type as string)) {
      model.type = "file";
    }
    const existed = await c.exists(path);
    const saved = await c.save(path, model);
    return sendModel(reply, existed ? 200 : 201, saved, true);
  }

  async function postContents(c: ContentsManager, req: FastifyRequest, reply: FastifyReply, path: string) {
    if (await c.fileExists(path)) throw badRequest("Cannot POST to files, use PUT instead.");
    const body = bodyObject(req);
    const copyFrom = body ? stringField(body, "copy_from") : undefined;
    if (copyFrom !== undefined) return sendModel(reply, 201, await c.copy(copyFrom, path), true);
    return newUntitled(c, reply, path, body);
  }

  async function patchContents(c: ContentsManager, req: FastifyRequest, reply: FastifyReply, path: string) {
    const body = bodyObject(req);
    if (!body) throw badRequest("JSON body missing");
    const newPath = stringField(body, "path") ?? path;
    return sendModel(reply, 200, await c.rename(path, newPath), true);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const target = targetOf(req);
    const c = contentsOf(req);
    // Fastify answers HEAD with the GET route's headers.
    const method = req.method === "HEAD" ? "GET" : req.method;
    if (target.kind === "contents") {
      const { path } = target;
      if (method === "GET") return getContents(c, req, reply, path);
      if (method === "PUT") return putContents(c, req, reply, path);
      if (method === "POST") return postContents(c, req, reply, path);
      if (method === "PATCH") return patchContents(c, req, reply, path);
      if (method === "DELETE") {
        await c.delete(path);
        return reply.code(204).send();
      }
    } else if (target.kind === "checkpoints") {
      if (method === "GET") return reply.send(await c.listCheckpoints(target.path));
      if (method === "POST") {
        const checkpoint = await c.createCheckpoint(target.path);
        const location = `${base}/${escapePath(target.path)}/checkpoints/${encodeURIComponent(checkpoint.id)}`;
        return reply.code(201).header("Location", location).send(checkpoint);
      }
    } else {
      if (method === "POST") {
        await c.restoreCheckpoint(target.path, target.id);
        return reply.code(204).send();
      }
      if (method === "DELETE") {
        await c.deleteCheckpoint(target.path, target.id);
        return reply.code(204).send();
      }
    }
    throw new ContentsError(405, `Method ${method} is not allowed here`);
  }

  const methods = ["GET", "PUT", "POST", "PATCH", "DELETE"] as const;
  for (const url of ["/api/contents", "/api/contents/*"]) {
    app.route({ method: [...methods], url, bodyLimit, handler: handle });
  }
};
