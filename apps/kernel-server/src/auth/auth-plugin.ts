import { createHmac, randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseCookies } from "./cookies.js";
import { AuthCookies, safeEqual } from "./auth-cookies.js";
import { LoginLimiter, type LoginLimitOptions } from "./login-limiter.js";
import { loginRoutes, tooManyAttempts } from "./login-routes.js";
import { hostAllowed, originAllowed } from "./origin.js";

export interface AuthOptions {
  /** Empty: no token. */
  token: string;
  /** A `tessera password` hash, or null. With neither a token nor a password, auth is off. */
  passwordHash: string | null;
  listenIp: string;
  port: number;
  allowOrigins: string[];
  /** Paths that need no auth (static assets, the login page). */
  publicPrefixes: string[];
  /** The prefix the server lives under ("/" or "/x/"): cookie path, login `next`. */
  baseUrl: string;
  /** Served over HTTPS: cookies are Secure, a browser's Origin is https. */
  secure: boolean;
  /** Failed logins allowed per address (default: 5 a minute). */
  loginLimit?: LoginLimitOptions;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyRequest {
    /** How the request proved who it is: "token" (header/query) or "cookie". */
    authVia?: "token" | "cookie" | "none";
  }
}

/**
 * Jupyter-style auth, as one hook:
 * - `Authorization: token T` or `?token=T` authenticates; a page load with `?token=`
 *   sets an HttpOnly cookie and redirects to the same URL without the token (so it does
 *   not linger in history, logs or Referer headers); the login page takes the token or the
 *   password and sets the same cookie;
 * - wrong tokens and passwords are rate-limited per client address;
 * - cookie-authenticated writes need `X-XSRFToken` equal to the `_xsrf` cookie;
 * - Host must be loopback-ish when bound to loopback (DNS rebinding), and a browser's
 *   Origin must be our own on WebSockets and writes.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  // The cookie proves the secrets without being one; it survives a restart with the same token and password.
  const key = options.passwordHash ? `${options.token}\n${options.passwordHash}` : options.token;
  const cookies = new AuthCookies({
    name: `tessera-auth-${options.port}`,
    value: createHmac("sha256", key).update("tessera-auth-cookie").digest("hex"),
    path: options.baseUrl,
    secure: options.secure,
  });
  const limiter = new LoginLimiter(options.loginLimit);
  const authOff = !options.token && !options.passwordHash;
  const allowOrigins = new Set(options.allowOrigins);
  const allowedHosts = new Set(
    options.allowOrigins.flatMap((o) => {
      try {
        return [new URL(o).hostname.toLowerCase()];
      } catch {
        return [];
      }
    }),
  );

  const deny = (reply: FastifyReply, status: number, message: string) =>
    reply.code(status).header("cache-control", "no-store").send({ message, reason: null });

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAllowed(request.headers.host, options.listenIp, allowedHosts)) {
      return deny(reply, 403, "Host header not allowed (this server only answers to localhost names and IP addresses)");
    }
    const url = request.url;
    const path = url.split("?")[0];
    if (options.publicPrefixes.some((p) => path.startsWith(p))) {
      request.authVia = "none";
      return;
    }
    const isUpgrade = (request.headers.upgrade ?? "").toLowerCase() === "websocket";
    // Machine clients: answered 403 rather than sent to the login page (a scraper would parse it).
    const isApi = path.startsWith("/api/") || path === "/metrics";
    const isPageLoad = request.method === "GET" && !isApi && !isUpgrade;
    const origin = request.headers.origin;
    if ((isUpgrade || !SAFE_METHODS.has(request.method)) && !originAllowed(origin, request.headers.host, options.secure, allowOrigins)) {
      return deny(reply, 403, `Origin ${origin} is not allowed`);
    }
    if (authOff) {
      request.authVia = "none";
      return;
    }
    const jar = parseCookies(request.headers.cookie);
    const header = request.headers.authorization;
    const query = (request.query ?? {}) as Record<string, unknown>;
    let given: string | undefined;
    if (typeof header === "string" && /^token\s+/i.test(header)) given = header.replace(/^token\s+/i, "").trim();
    else if (typeof query.token === "string") given = query.token;
    if (given !== undefined) {
      const wait = limiter.retryAfterMs(request.ip);
      if (wait > 0) return tooManyAttempts(reply, wait, isPageLoad ? "page" : "json", options);
      if (!options.token || !safeEqual(given, options.token)) {
        limiter.failed(request.ip);
        return deny(reply, 403, "Invalid token");
      }
      limiter.succeeded(request.ip);
      request.authVia = "token";
      if (typeof query.token === "string" && isPageLoad) {
        // A page load with ?token=: swap it for a cookie and drop it from the URL.
        const clean = new URL(url, "http://x");
        clean.searchParams.delete("token");
        return cookies
          .set(reply, jar._xsrf ?? randomBytes(16).toString("hex"))
          .header("cache-control", "no-store")
          .header("referrer-policy", "no-referrer")
          .redirect(clean.pathname + clean.search, 302);
      }
      return;
    }
    const cookie = jar[cookies.name];
    if (cookie !== undefined && cookies.valid(cookie)) {
      request.authVia = "cookie";
      if (!SAFE_METHODS.has(request.method) && !isUpgrade) {
        const xsrfHeader = request.headers["x-xsrftoken"] ?? query._xsrf;
        if (typeof xsrfHeader !== "string" || !jar._xsrf || !safeEqual(xsrfHeader, jar._xsrf)) {
          return deny(reply, 403, "'_xsrf' argument missing or incorrect (send the X-XSRFToken header)");
        }
      }
      return;
    }
    if (isPageLoad) {
      // `next` is the address the browser asked for, prefix included.
      return reply.redirect(`/login?next=${encodeURIComponent(options.baseUrl + url.slice(1))}`, 302);
    }
    const how = options.token ? "send 'Authorization: token <token>' or open the URL printed at start" : "log in with the password at /login";
    return deny(reply, 403, `Authentication required: ${how}`);
  });

  loginRoutes(app, { ...options, cookies, limiter });
}
