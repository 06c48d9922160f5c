import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { safeEqual, type AuthCookies } from "./auth-cookies.js";
import type { LoginLimiter } from "./login-limiter.js";
import { loginPage, type LoginPageOptions } from "./login-page.js";
import { verifyPassword } from "./password-hash.js";

interface LoginOptions {
  token: string;
  passwordHash: string | null;
  baseUrl: string;
  cookies: AuthCookies;
  limiter: LoginLimiter;
}

function accepts(options: { token: string; passwordHash: string | null }): LoginPageOptions["accepts"] {
  if (!options.passwordHash) return "token";
  return options.token ? "password or token" : "password";
}

/** 429 with Retry-After, as the login page or as JSON for API clients. */
export function tooManyAttempts(reply: FastifyReply, waitMs: number, as: "page" | "json", options: { token: string; passwordHash: string | null }) {
  const seconds = Math.ceil(waitMs / 1000);
  const message = `Too many failed login attempts from your address: try again in ${seconds} s.`;
  void reply.code(429).header("retry-after", String(seconds)).header("cache-control", "no-store");
  if (as === "json") return reply.send({ message, reason: null });
  return reply.header("content-type", "text/html; charset=utf-8").send(loginPage({ accepts: accepts(options), error: message }));
}

/**
 * Where to go after logging in: `next` (an address under the base URL, as the browser saw
 * it) as a server path, or the home page. Never another site.
 */
function nextPath(next: unknown, base: string): string {
  if (typeof next !== "string" || !next.startsWith(base)) return "/";
  const path = `/${next.slice(base.length)}`;
  return path.startsWith("//") || path.startsWith("/\\") ? "/" : path;
}

/** GET/POST `/login`: the form, and checking what it sends against the token and the password. */
export function loginRoutes(app: FastifyInstance, options: LoginOptions): void {
  const { cookies, limiter } = options;
  const page = (error?: string) => loginPage({ accepts: accepts(options), error });

  app.get("/login", async (_request, reply) => {
    reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
    return page();
  });

  app.post("/login", async (request, reply) => {
    const next = nextPath((request.query as Record<string, unknown>).next, options.baseUrl);
    if (!options.token && !options.passwordHash) return reply.redirect(next, 302);
    const wait = limiter.retryAfterMs(request.ip);
    if (wait > 0) return tooManyAttempts(reply, wait, "page", options);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const given = typeof body.password === "string" ? body.password : typeof body.token === "string" ? body.token : "";
    // Counted before the (slow) check, so parallel guesses cannot outrun the limit; a success clears it.
    limiter.failed(request.ip);
    const ok =
      given !== "" && ((options.token !== "" && safeEqual(given, options.token)) || (options.passwordHash !== null && (await verifyPassword(given, options.passwordHash))));
    if (!ok) {
      reply.code(403).header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
      return page(options.passwordHash ? "Wrong password or token" : "Invalid token");
    }
    limiter.succeeded(request.ip);
    return cookies.set(reply, randomBytes(16).toString("hex")).header("cache-control", "no-store").redirect(next, 302);
  });
}
