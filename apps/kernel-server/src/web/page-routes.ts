import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * index.html's asset references: the page is built with a relative base ("./assets/…", so
 * its chunks, workers and fonts load relative to one another), and index.html is served from
 * page routes at any depth, so its own references are made absolute, under the base URL.
 * ("/static/…" from an older build gets the prefix too.)
 */
const ASSET_REF = /\b(src|href)="(?:\.\/|\/static\/)/g;

/**
 * Serves the notebook page from the built web app: assets under /static/, index.html for
 * the page routes. Everything the page needs comes from here (works offline, through a tunnel).
 */
export async function pageRoutes(app: FastifyInstance, opts: { webRoot: string; baseUrl: string }): Promise<void> {
  // Read on each page load (it is small): a rebuilt page is picked up without a restart.
  const loadIndex = async () => {
    const html = await readFile(join(opts.webRoot, "index.html"), "utf8");
    return html
      .replace("<head>", `<head><meta name="tessera-base-url" content="${opts.baseUrl}">`)
      .replace(ASSET_REF, `$1="${opts.baseUrl}static/`);
  };
  await app.register(fastifyStatic, {
    root: opts.webRoot,
    prefix: "/static/",
    index: false,
    wildcard: true,
    // .br/.gz written at build time (apps/web/scripts/precompress.mjs).
    preCompressed: true,
    // Asset names carry a content hash: cache them for good.
    immutable: true,
    maxAge: "365d",
  });
  const page = async (_req: unknown, reply: import("fastify").FastifyReply) => {
    try {
      const html = await loadIndex();
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-cache")
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .header("x-frame-options", "SAMEORIGIN")
        .send(html);
    } catch {
      return reply.code(503).header("content-type", "text/plain").send("The page is not built: run `npm install` (or `npm run build`).");
    }
  };
  app.get("/", page);
  app.get("/tree", page);
  app.get("/tree/*", page);
  app.get("/notebooks/*", page);
  app.get("/admin", page);
  app.get("/favicon.ico", async (_req, reply) => reply.code(204).send());
}
