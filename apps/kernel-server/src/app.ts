import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import { KERNEL_MAIN } from "@tessera/kernel";
import { registerAuth } from "./auth/auth-plugin.js";
import type { LoginLimitOptions } from "./auth/login-limiter.js";
import type { ServerConfig } from "./cli/config.js";
import type { ContentsManager } from "./contents/contents-manager.js";
import { contentsRoutes } from "./contents/contents-routes.js";
import { filesRoute } from "./contents/files-route.js";
import type { DocumentManager } from "./documents/document-manager.js";
import { documentRoutes } from "./documents/document-routes.js";
import { baseUrlRewriter, normalizeBaseUrl, registerBaseUrl } from "./http/base-url.js";
import { registerBodyParsers } from "./http/body-parsers.js";
import { errorHandler, frameworkErrors, notFoundHandler } from "./http/error-handler.js";
import { HttpError } from "./http/http-error.js";
import { redactUrl } from "./http/redact.js";
import { statusRoutes } from "./http/status-routes.js";
import { loadTls } from "./http/tls.js";
import { channelRoutes } from "./kernels/channels.js";
import type { KernelManager } from "./kernels/kernel-manager.js";
import { kernelRoutes } from "./kernels/kernel-routes.js";
import { V1_PROTOCOL } from "./kernels/wire.js";
import { MetricsHub, type MetricsHubOptions } from "./metrics/metrics-hub.js";
import { metricsFilterFor } from "./metrics/metrics-visibility.js";
import { metricsWsRoute } from "./metrics/metrics-ws-route.js";
import { prometheusRoute } from "./metrics/prometheus-route.js";
import type { SessionManager } from "./sessions/session-manager.js";
import { sessionRoutes } from "./sessions/session-routes.js";
import { prepareHomes } from "./users/homes.js";
import { userRoutes } from "./users/user-routes.js";
import { NO_LIMITS, type UserAccount } from "./users/users-file.js";
import type { WorkspaceOf } from "./users/workspace.js";
import { Workspaces, type LimitTimings } from "./users/workspaces.js";
import { pageRoutes } from "./web/page-routes.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The built page, beside this package in the workspace. */
export const DEFAULT_WEB_ROOT = join(here, "..", "..", "web", "dist");
export const VERSION = "0.1.0";

/** Largest WebSocket frame accepted (a cell's code, an input reply): bigger closes with 1009. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface App {
  app: FastifyInstance;
  /** Every user's workspace (one, the owner's, without a users file). */
  workspaces: Workspaces;
  /** The owner's (first teacher's) kernels, sessions, files and documents. */
  kernels: KernelManager;
  sessions: SessionManager;
  contents: ContentsManager;
  docs: DocumentManager;
  metrics: MetricsHub;
  /** The normalized prefix every route lives under ("/" or "/x/"). */
  baseUrl: string;
  /** Served over HTTPS. */
  secure: boolean;
  /** Every route, as "METHOD /url" (the isolation tests check each one). */
  routes: string[];
}

/** Settings that are not flags: tests shorten the metrics sampler's timings and the login window with them. */
export interface AppOptions {
  metrics?: Partial<MetricsHubOptions>;
  loginLimit?: LoginLimitOptions;
  limits?: LimitTimings;
}

/** Environment for kernel processes: the server's, without its secrets. */
function kernelEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("TESSERA_TOKEN") || key.startsWith("TESSERA_PASSWORD")) delete env[key];
  return env;
}

/** Open documents follow renames and deletes made through the contents API (in the user's own workspace). */
function followContentsChanges(app: FastifyInstance, workspaceOf: WorkspaceOf): void {
  app.addHook("onResponse", async (req, reply) => {
    if (!req.url.startsWith("/api/contents/") || reply.statusCode >= 300 || req.url.includes("/checkpoints") || !req.user) return;
    const docs = workspaceOf(req).docs;
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
    frameworkErrors,
  };
  // One FastifyInstance type for both: only the listening socket differs.
  const app = (tls ? Fastify({ ...fastifyOptions, https: tls }) : Fastify(fastifyOptions)) as unknown as FastifyInstance;
  // Before any route, hook or plugin: every route, and the not-found handler, answer errors through it.
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  registerBodyParsers(app);
  const log = (level: "info" | "warn" | "error", msg: string) => app.log[level](msg);
  const accounts = config.users?.users ?? [ownerAccount(config.root, config.kernelMemory ?? null)];
  if (config.users) prepareHomes(config.users, KERNEL_MAIN);
  const workspaces = new Workspaces(accounts, { mainPath: KERNEL_MAIN, baseEnv: kernelEnv(), log }, Boolean(config.users), options.limits);
  const owner = workspaces.get((accounts.find((u) => u.role === "teacher") ?? accounts[0]).name);
  const { contents, kernels, sessions, docs } = owner;
  const workspaceOf: WorkspaceOf = (req) => {
    if (!req.user) throw new HttpError(403, "Authentication required");
    return workspaces.get(req.user.name);
  };
  const metrics = new MetricsHub(workspaces, options.metrics, log);
  const byLowerName = new Map(accounts.map((u) => [u.name.toLowerCase(), u]));

  const routes: string[] = [];
  app.addHook("onRoute", (r) => {
    for (const m of [r.method].flat()) if (m !== "HEAD") routes.push(`${m} ${r.url}`);
  });
  await app.register(websocket, {
    // A frame ws refuses (over MAX_FRAME_BYTES: 1009; text that is not UTF-8: 1007) is answered by ws
    // with that close frame and a clean end, and the socket is left to close: terminating it too resets
    // the connection, and the client reads 1006 instead of the code. Other errors: as the default.
    errorHandler: (err, socket, req) => {
      if (String((err as { code?: unknown }).code).startsWith("WS_ERR_")) return;
      req.log.error(err);
      socket.terminate();
    },
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
    publicPrefixes: ["/static/", "/login", "/logout", "/favicon.ico"],
    baseUrl,
    secure: tls !== null,
    loginLimit: options.loginLimit,
    users: {
      owner: owner.user,
      accounts: config.users
        ? { find: (name) => byLowerName.get(name.toLowerCase()), cookieSecret: config.cookieSecret ?? randomBytes(32).toString("hex") }
        : null,
    },
  });
  statusRoutes(app, { workspaceOf, version: VERSION });
  kernelRoutes(app, { workspaceOf });
  channelRoutes(app, { workspaceOf });
  sessionRoutes(app, { workspaceOf });
  documentRoutes(app, { workspaceOf });
  userRoutes(app, { workspaces, workspaceOf, hub: metrics });
  metricsWsRoute(app, {
    hub: metrics,
    filterFor: (req) => {
      const ws = workspaceOf(req);
      return metricsFilterFor(ws.user, () => new Set(ws.kernels.all().map((k) => k.id)));
    },
  });
  prometheusRoute(app, { hub: metrics, allowed: (req) => workspaceOf(req).user.role === "teacher" });
  await app.register(contentsRoutes, { contents, contentsOf: (req) => workspaceOf(req).contents });
  await app.register(filesRoute, { workspaceOf });
  followContentsChanges(app, workspaceOf);
  const webRoot = config.webRoot ?? DEFAULT_WEB_ROOT;
  if (existsSync(webRoot)) await pageRoutes(app, { webRoot, baseUrl });

  app.addHook("onClose", async () => {
    metrics.stop();
    await workspaces.flushAll();
    await workspaces.shutdownAll();
  });
  return { app, workspaces, kernels, sessions, contents, docs, metrics, baseUrl, secure: tls !== null, routes };
}

/** The one user of a server without a users file: whoever started it, with no limit but `--kernel-memory`. */
function ownerAccount(root: string, kernelMemory: number | null): UserAccount {
  let name = "tessera";
  try {
    name = userInfo().username || name;
  } catch {}
  return { name, role: "teacher", passwordHash: "", home: root, limits: { ...NO_LIMITS, memoryBytes: kernelMemory }, kernelIds: null };
}
