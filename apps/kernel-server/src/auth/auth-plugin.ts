import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseCookies, serializeCookie } from "./cookies.js";
import { hostAllowed, originAllowed } from "./origin.js";

export interface AuthOptions {
  token: string;
  listenIp: string;
  port: number;
  allowOrigins: string[];
  /** Paths that need no auth (static assets, the login page). */
  publicPrefixes: string[];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

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
 *   not linger in history, logs or Referer headers);
 * - cookie-authenticated writes need `X-XSRFToken` equal to the `_xsrf` cookie;
 * - Host must be loopback-ish when bound to loopback (DNS rebinding), and a browser's
 *   Origin must be our own on WebSockets and writes.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const cookieName = `tessera-auth-${options.port}`;
  // The cookie proves the token without being it; it survives a restart with the same token.
  const cookieValue = options.token ? createHmac("sha256", options.token).update("tessera-auth-cookie").digest("hex") : "";
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
    const origin = request.headers.origin;
    if ((isUpgrade || !SAFE_METHODS.has(request.method)) && !originAllowed(origin, request.headers.host, false, allowOrigins)) {
      return deny(reply, 403, `Origin ${origin} is not allowed`);
    }
    if (!options.token) {
      request.authVia = "none";
      return;
    }
    const cookies = parseCookies(request.headers.cookie);
    const header = request.headers.authorization;
    const query = (request.query ?? {}) as Record<string, unknown>;
    let given: string | undefined;
    if (typeof header === "string" && /^token\s+/i.test(header)) given = header.replace(/^token\s+/i, "").trim();
    else if (typeof query.token === "string") given = query.token;
    if (given !== undefined) {
      if (!safeEqual(given, options.token)) return deny(reply, 403, "Invalid token");
      request.authVia = "token";
      if (typeof query.token === "string" && request.method === "GET" && !isUpgrade && !isApi) {
        // A page load with ?token=: swap it for a cookie and drop it from the URL.
        const clean = new URL(url, "http://x");
        clean.searchParams.delete("token");
        const xsrf = cookies._xsrf ?? randomBytes(16).toString("hex");
        return reply
          .header("set-cookie", [serializeCookie(cookieName, cookieValue, { httpOnly: true }), serializeCookie("_xsrf", xsrf)])
          .header("cache-control", "no-store")
          .header("referrer-policy", "no-referrer")
          .redirect(clean.pathname + clean.search, 302);
      }
      return;
    }
    const cookie = cookies[cookieName];
    if (cookie !== undefined && safeEqual(cookie, cookieValue)) {
      request.authVia = "cookie";
      if (!SAFE_METHODS.has(request.method) && !isUpgrade) {
        const xsrfHeader = request.headers["x-xsrftoken"] ?? query._xsrf;
        if (typeof xsrfHeader !== "string" || !cookies._xsrf || !safeEqual(xsrfHeader, cookies._xsrf)) {
          return deny(reply, 403, "'_xsrf' argument missing or incorrect (send the X-XSRFToken header)");
        }
      }
      return;
    }
    if (request.method === "GET" && !isApi && !isUpgrade) {
      return reply.redirect(`/login?next=${encodeURIComponent(url)}`, 302);
    }
    return deny(reply, 403, "Authentication required: send 'Authorization: token <token>' or open the URL printed at start");
  });

  app.get("/login", async (_request, reply) => {
    reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
    return loginPage();
  });
  app.post("/login", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = typeof (request.query as Record<string, unknown>).next === "string" ? String((request.query as Record<string, unknown>).next) : "/";
    const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
    if (typeof body.token !== "string" || !options.token || !safeEqual(body.token, options.token)) {
      reply.code(403).header("content-type", "text/html; charset=utf-8");
      return loginPage("Invalid token");
    }
    const xsrf = randomBytes(16).toString("hex");
    return reply
      .header("set-cookie", [serializeCookie(cookieName, cookieValue, { httpOnly: true }), serializeCookie("_xsrf", xsrf)])
      .redirect(safeNext, 302);
  });
}

function loginPage(error?: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Tessera — log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0;background:#f6f7f9;color:#1d2330}
form{background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 2px 12px #0002;min-width:320px}
input{width:100%;box-sizing:border-box;padding:8px;margin:8px 0 14px;font:inherit}button{padding:8px 16px;font:inherit}
.err{color:#b00020}</style></head><body><form method="post">
<h2>Tessera</h2><label for="token">Token (printed in the terminal where the server started)</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus>
${error ? `<p class="err">${error}</p>` : ""}<button type="submit">Log in</button></form></body></html>`;
}
