import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { HttpError } from "../http/http-error.js";
import type { UserAccount } from "../users/users-file.js";
import type { AuthCookies } from "./auth-cookies.js";
import type { LoginLimiter } from "./login-limiter.js";
import { loginPage, type LoginPageOptions } from "./login-page.js";

export interface LoginOptions {
  baseUrl: string;
  cookies: AuthCookies;
  limiter: LoginLimiter;
  /** What the form asks for. */
  accepts: LoginPageOptions["accepts"];
  /** False when there is nothing to log in with (no token, no password, no users). */
  authOn: boolean;
  /** The user what the form sent logs in, or null. */
  check(body: Record<string, unknown>): Promise<UserAccount | null>;
  /** Failed attempts are counted per this key (the address, and the user name in workshop mode). */
  attemptKey(ip: string, body: Record<string, unknown>): string;
}

/** 429 with Retry-After: the login page, or for API clients an HttpError to throw. */
export function tooManyAttempts(reply: FastifyReply, waitMs: number, as: "page" | "json", accepts: LoginPageOptions["accepts"]) {
  const seconds = Math.ceil(waitMs / 1000);
  const message = `Too many failed login attempts from your address: try again in ${seconds} s.`;
  void reply.header("retry-after", String(seconds)).header("cache-control", "no-store");
  if (as === "json") throw new HttpError(429, message);
  return reply
    .code(429)
    .header("content-type", "text/html; charset=utf-8")
    .send(loginPage({ accepts, error: message }));
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

const ERRORS: Record<LoginPageOptions["accepts"], string> = {
  token: "Invalid token",
  password: "Wrong password",
  "password or token": "Wrong password or token",
  user: "Wrong user name or password",
};

/** GET/POST `/login` (the form, and checking what it sends) and GET/POST `/logout`. */
export function loginRoutes(app: FastifyInstance, options: LoginOptions): void {
  const { cookies, limiter, accepts } = options;
  const page = (error?: string, username?: string) => loginPage({ accepts, error, username });

  app.get("/login", async (_request, reply) => {
    reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
    return page();
  });

  app.post("/login", async (request, reply) => {
    const next = nextPath((request.query as Record<string, unknown>).next, options.baseUrl);
    if (!options.authOn) return reply.redirect(next, 302);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const key = options.attemptKey(request.ip, body);
    const wait = limiter.retryAfterMs(key);
    if (wait > 0) return tooManyAttempts(reply, wait, "page", accepts);
    // Counted before the (slow) check, so parallel guesses cannot outrun the limit; a success clears it.
    limiter.failed(key);
    const user = await options.check(body);
    if (!user) {
      reply.code(403).header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
      return page(ERRORS[accepts], typeof body.username === "string" ? body.username.slice(0, 64) : undefined);
    }
    limiter.succeeded(key);
    return cookies.set(reply, user, randomBytes(16).toString("hex")).header("cache-control", "no-store").redirect(next, 302);
  });

  const logout = async (_request: unknown, reply: FastifyReply) =>
    cookies.clear(reply).header("cache-control", "no-store").redirect("/login", 302);
  app.get("/logout", logout);
  app.post("/logout", logout);
}
