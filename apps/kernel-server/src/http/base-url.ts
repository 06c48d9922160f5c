import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { ConfigError } from "../cli/config-error.js";
import { HttpError } from "./http-error.js";

/**
 * `--base-url /x/`: the server lives under a path prefix, as behind a reverse proxy that
 * forwards `/x/…` unchanged. Routes, hooks and handlers all speak the unprefixed paths
 * (`/api/…`, `/login`): the prefix is stripped from each request before routing (WebSocket
 * upgrades included) and added back to every `Location` the server sends.
 */

/** Where a request outside the prefix is routed: no route matches it, and a hook answers it. */
const OUTSIDE = "/.tessera-outside-base-url";

/**
 * "/x/" from "x", "/x", "/x/" or "x/"; "/" from "" or "/". Refuses what a URL path prefix
 * cannot safely be (queries, dot segments, characters that need escaping in HTML).
 * @example normalizeBaseUrl("notebooks") // "/notebooks/"
 */
export function normalizeBaseUrl(value: string): string {
  const segments = value.split("/").filter(Boolean);
  const bad = segments.find((s) => s === "." || s === ".." || !/^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/.test(s));
  if (bad !== undefined) {
    throw new ConfigError(
      `invalid --base-url ${JSON.stringify(value)}: "${bad}" cannot be part of a URL path prefix (use letters, digits and - _ . ~)`,
    );
  }
  return segments.length ? `/${segments.join("/")}/` : "/";
}

/** Fastify's `rewriteUrl`: "/x/api/status" → "/api/status"; "/x" → "/"; anything else → outside. */
export function baseUrlRewriter(base: string): ((req: IncomingMessage) => string) | undefined {
  if (base === "/") return undefined;
  const bare = base.slice(0, -1);
  return (req) => {
    const url = req.url ?? "/";
    if (url.startsWith(base)) return url.slice(bare.length);
    if (url === bare || url.startsWith(`${bare}?`)) return `/${url.slice(bare.length)}`;
    return OUTSIDE;
  };
}

/**
 * Answers requests outside the prefix (`/` is sent to the prefix, anything else is a 404)
 * and prefixes the server's own redirects. Register before the auth hook.
 */
export function registerBaseUrl(app: FastifyInstance, base: string): void {
  if (base === "/") return;
  const outside = (url: string) => url === OUTSIDE;
  app.addHook("onRequest", async (request, reply) => {
    if (!outside(request.url)) return;
    const original = (request.originalUrl ?? "/").split("?")[0];
    if (original === "/" && (request.method === "GET" || request.method === "HEAD")) return reply.redirect(base, 302);
    throw new HttpError(404, `Not found: ${request.method} ${original} (this server lives under ${base})`);
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const location = reply.getHeader("location");
    if (!outside(request.url) && typeof location === "string" && location.startsWith("/") && !location.startsWith("//")) {
      reply.header("location", base + location.slice(1));
    }
    return payload;
  });
}
