import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../http/http-error.js";
import type { UserAccount } from "../users/users-file.js";
import { parseCookies } from "./cookies.js";
import { OwnerCookies, UserCookies, safeEqual, type AuthCookies } from "./auth-cookies.js";
import { LoginLimiter, type LoginLimitOptions } from "./login-limiter.js";
import type { LoginPageOptions } from "./login-page.js";
import { loginRoutes, tooManyAttempts } from "./login-routes.js";
import { hostAllowed, originAllowed } from "./origin.js";
import { verifyPassword } from "./password-hash.js";

/** Who can log in: the one owner, or (workshop mode) the users of a users file. */
export interface AuthUsers {
  /** The person who started the server (no users file), or the first teacher: the token logs in as them. */
  owner: UserAccount;
  /** Workshop mode: log in with a user name and that user's password; null for one user. */
  accounts: { find(name: string): UserAccount | undefined; cookieSecret: string } | null;
}

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
  users: AuthUsers;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyRequest {
    /** How the request proved who it is: "token" (header/query) or "cookie". */
    authVia?: "token" | "cookie" | "none";
    /** Who the request is from (set for every request that passed auth). */
    user?: UserAccount;
  }
}

/**
 * Jupyter-style auth, as one hook:
 * - `Authorization: token T` or `?token=T` authenticates; a page load with `?token=`
 *   sets an HttpOnly cookie and redirects to the same URL without the token (so it does
 *   not linger in history, logs or Referer headers); the login page takes the token or the
 *   password and sets the same cookie; in workshop mode it takes a user name and that
 *   user's password, and the cookie names the user (signed);
 * - wrong tokens and passwords are rate-limited per client address;
 * - cookie-authenticated writes need `X-XSRFToken` equal to the `_xsrf` cookie;
 * - Host must be loopback-ish when bound to loopback (DNS rebinding), and a browser's
 *   Origin must be our own on WebSockets and writes.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { owner, accounts } = options.users;
  const spec = { name: `tessera-auth-${options.port}`, path: options.baseUrl, secure: options.secure };
  const cookies: AuthCookies = accounts
    ? new UserCookies(spec, accounts.cookieSecret, (name) => accounts.find(name))
    : new OwnerCookies(spec, options.passwordHash ? `${options.token}\n${options.passwordHash}` : options.token, owner);
  const limiter = new LoginLimiter(options.loginLimit);
  const authOff = !accounts && !options.token && !options.passwordHash;
  const accepts: LoginPageOptions["accepts"] = accounts
    ? "user"
    : !options.passwordHash
      ? "token"
      : options.token
        ? "password or token"
        : "password";
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

  /** A 403 refusal to throw, answered so that no cache keeps it. */
  const refusal = (reply: FastifyReply, message: string): HttpError => {
    reply.header("cache-control", "no-store");
    return new HttpError(403, message);
  };

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAllowed(request.headers.host, options.listenIp, allowedHosts)) {
      throw refusal(reply, "Host header not allowed (this server only answers to localhost names and IP addresses)");
    }
    const url = request.url;
    const path = url.split("?")[0];
    const isUpgrade = (request.headers.upgrade ?? "").toLowerCase() === "websocket";
    const origin = request.headers.origin;
    // Before the public paths, so POST /login is covered too: another site's form must not
    // log the browser in as the attacker (login CSRF; in workshop mode, as another user).
    if ((isUpgrade || !SAFE_METHODS.has(request.method)) && !originAllowed(origin, request.headers.host, options.secure, allowOrigins)) {
      throw refusal(reply, `Origin ${origin} is not allowed`);
    }
    if (options.publicPrefixes.some((p) => path.startsWith(p))) {
      request.authVia = "none";
      if (authOff) request.user = owner;
      return;
    }
    // Machine clients: answered 403 rather than sent to the login page (a scraper would parse it).
    const isApi = path.startsWith("/api/") || path === "/metrics";
    const isPageLoad = request.method === "GET" && !isApi && !isUpgrade;
    if (authOff) {
      request.authVia = "none";
      request.user = owner;
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
      if (wait > 0) return tooManyAttempts(reply, wait, isPageLoad ? "page" : "json", accepts);
      if (!options.token || !safeEqual(given, options.token)) {
        limiter.failed(request.ip);
        throw refusal(reply, "Invalid token");
      }
      limiter.succeeded(request.ip);
      request.authVia = "token";
      request.user = owner;
      if (typeof query.token === "string" && isPageLoad) {
        // A page load with ?token=: swap it for a cookie and drop it from the URL.
        const clean = new URL(url, "http://x");
        clean.searchParams.delete("token");
        // "/.//evil.example" normalizes to the path "//evil.example": as a Location that is
        // another site (an open redirect), so leading slashes are collapsed to one.
        const cleanPath = clean.pathname.replace(/^\/{2,}/, "/");
        return cookies
          .set(reply, owner, jar._xsrf ?? randomBytes(16).toString("hex"))
          .header("cache-control", "no-store")
          .header("referrer-policy", "no-referrer")
          .redirect(cleanPath + clean.search, 302);
      }
      return;
    }
    const cookie = jar[cookies.name];
    const user = cookie === undefined ? null : cookies.identify(cookie);
    if (user) {
      request.authVia = "cookie";
      request.user = user;
      if (!SAFE_METHODS.has(request.method) && !isUpgrade) {
        const xsrfHeader = request.headers["x-xsrftoken"] ?? query._xsrf;
        if (typeof xsrfHeader !== "string" || !jar._xsrf || !safeEqual(xsrfHeader, jar._xsrf)) {
          throw refusal(reply, "'_xsrf' argument missing or incorrect (send the X-XSRFToken header)");
        }
      }
      return;
    }
    if (isPageLoad) {
      // `next` is the address the browser asked for, prefix included.
      return reply.redirect(`/login?next=${encodeURIComponent(options.baseUrl + url.slice(1))}`, 302);
    }
    const how = accounts
      ? "log in with your user name and password at /login"
      : options.token
        ? "send 'Authorization: token <token>' or open the URL printed at start"
        : "log in with the password at /login";
    throw refusal(reply, `Authentication required: ${how}`);
  });

  const { token, passwordHash } = options;
  loginRoutes(app, {
    baseUrl: options.baseUrl,
    cookies,
    limiter,
    accepts,
    authOn: !authOff,
    attemptKey: (ip, body) => (accounts ? `${ip}\n${typeof body.username === "string" ? body.username.toLowerCase() : ""}` : ip),
    check: async (body) => {
      const secret = typeof body.password === "string" ? body.password : typeof body.token === "string" ? body.token : "";
      if (secret === "") return null;
      if (token !== "" && safeEqual(secret, token) && (!accounts || !body.username)) return owner;
      if (accounts) {
        const user = typeof body.username === "string" ? accounts.find(body.username.trim()) : undefined;
        return user && (await verifyPassword(secret, user.passwordHash)) ? user : null;
      }
      return passwordHash !== null && (await verifyPassword(secret, passwordHash)) ? owner : null;
    },
  });
}
