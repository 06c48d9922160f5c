import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import { KERNEL_MAIN } from "@tessera/kernel";
import { registerAuth } from "./auth/auth-plugin.js";
import type { LoginLimitOptions } from "./auth/login-limiter.js";
import { baseUrlRewriter, normalizeBaseUrl, registerBaseUrl } from "./base-url.js";
import type { ServerConfig } from "./config.js";
import { ContentsManager } from "./contents/contents-manager.js";
import { contentsRoutes } from "./contents/contents-routes.js";
import { filesRoute } from "./contents/files-route.js";
import { DocumentManager } from "./documents/document-manager.js";
import { documentRoutes } from "./documents/document-routes.js";
import { channelRoutes } from "./kernels/channels.js";
import { KernelManager } from "./kernels/kernel-manager.js";
import { kernelRoutes } from "./kernels/kernel-routes.js";
import { V1_PROTOCOL } from "./kernels/wire.js";
import { MetricsHub, type MetricsHubOptions } from "./metrics/metrics-hub.js";
import { metricsWsRoute } from "./metrics/metrics-ws-route.js";
import { prometheusRoute } from "./metrics/prometheus-route.js";
import { redactUrl } from "./redact.js";
import { SessionManager } from "./sessions/session-manager.js";
import { sessionRoutes } from "./sessions/session-routes.js";
import { statusRoutes } from "./status-routes.js";
import { loadTls } from "./tls.js";
import { pageRoutes } from "./web/page-routes.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The built page, beside this package in the workspace. */
export const DEFAULT_WEB_ROOT = join(here, "..", "..", "web", "dist");
export const VERSION = "0.1.0";

/** Largest WebSocket frame accepted (a cell's code, an input reply): bigger closes with 1009. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface App {
  app: FastifyInstance;
  kernels: KernelManager;
  sessions: SessionManager;
  contents: ContentsManager;
  docs: DocumentManager;
  metrics: MetricsHub;
  /** The normalized prefix every route lives under ("/" or "/x/"). */
  baseUrl: string;
  /** Served over HTTPS. */
  secure: boolean;
}

/** Settings that are not flags: tests shorten the metrics sampler's timings and the login window with them. */
export interface AppOptions {
  metrics?: Partial<MetricsHubOptions>;
  loginLimit?: LoginLimitOptions;
}

/** Environment for kernel processes: the server's, without its secrets. */
function kernelEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("TESSERA_TOKEN") || key.startsWith("TESSERA_PASSWORD")) delete env[key];
  return env;
}

/** Open documents follow renames and deletes made through the contents API. */
function followContentsChanges(app: FastifyInstance, docs: DocumentManager): void {
  app.addHook("onResponse", async (req, reply) => {
    if (!req.url.startsWith("/api/contents/") || reply.statusCode >= 300 || req.url.includes("/checkpoints")) return;
    const path = decodeURIComponent(req.url.slice("/api/contents/".length).split("?")[0]);
    if (req.method === "PATCH") {
      const to = (req.body as { path?: unknown } | undefined)?.path;
      if (typeof to === "string") docs.renamed(path, to.replace(/^\/+/, ""));
    } else if (req.method === "DELETE") {
      docs.deleted(path);
    }
  });
}

/** Builds the server: one plugin per concern, registered here. */
export async function buildApp(config: ServerConfig, options: AppOptions = {}): Promise<App> {
  const baseUrl = normalizeBaseUrl(config.baseUrl ?? "/");
  const tls = config.certfile && config.keyfile ? await loadTls(config.certfile, config.keyfile) : null;
  const fastifyOptions = {
    logger: {
      level: process.env.TESSERA_LOG_LEVEL ?? "warn",
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      },
    },
    bodyLimit: 256 * 1024 * 1024,
    rewriteUrl: baseUrlRewriter(baseUrl),
  };
  // One FastifyInstance type for both: only the listening socket differs.
  const app = (tls ? Fastify({ ...fastifyOptions, https: tls }) : Fastify(fastifyOptions)) as unknown as FastifyInstance;
  // Jupyter clients POST with a JSON content type and no body (interrupt, restart): that is no body, not an error.
  // Jupyter Server reads every request body as JSON whatever its type; JupyterLab's client
  // sends JSON bodies as text/plain (fetch's default for a string).
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser(["application/json", "text/plain"], { parseAs: "string" }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(new Error(`Malformed JSON body: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const log = (level: "info" | "warn" | "error", msg: string) => app.log[level](msg);
  const contents = new ContentsManager(config.root);
  const kernels = new KernelManager({ mainPath: KERNEL_MAIN, env: kernelEnv(), log });
  const jail = { directoryFor: (path: string) => contents.directoryFor(path) };
  const sessions = new SessionManager(kernels, jail);
  const docs = new DocumentManager(contents, sessions, kernels);
  const metrics = new MetricsHub(kernels, sessions, options.metrics, log);

  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols: Set<string>) => (protocols.has(V1_PROTOCOL) ? V1_PROTOCOL : false),
    },
  });
  registerBaseUrl(app, baseUrl);
  registerAuth(app, {
    token: config.token,
    passwordHash: config.passwordHash ?? null,
    listenIp: config.ip,
    port: config.port,
    allowOrigins: config.allowOrigins,
    publicPrefixes: ["/static/", "/login", "/favicon.ico"],
    baseUrl,
    secure: tls !== null,
    loginLimit: options.loginLimit,
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) app.log.error(err);
    reply.code(status).send({ message: status >= 500 ? `Internal error: ${err.message}` : err.message, reason: null });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ message: `Not found: ${req.method} ${redactUrl(req.url).split("?")[0]}`, reason: null }));

  statusRoutes(app, { kernels, version: VERSION });
  kernelRoutes(app, { kernels, jail });
  channelRoutes(app, { kernels });
  sessionRoutes(app, { sessions });
  documentRoutes(app, { docs });
  metricsWsRoute(app, { hub: metrics });
  prometheusRoute(app, { hub: metrics });
  await app.register(contentsRoutes, { contents });
  await app.register(filesRoute, { contents });
  followContentsChanges(app, docs);
  const webRoot = config.webRoot ?? DEFAULT_WEB_ROOT;
  if (existsSync(webRoot)) await pageRoutes(app, { webRoot, baseUrl });

  app.addHook("onClose", async () => {
    metrics.stop();
    await docs.flushAll();
    await kernels.shutdownAll();
  });
  return { app, kernels, sessions, contents, docs, metrics, baseUrl, secure: tls !== null };
}
