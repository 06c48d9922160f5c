import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { UserAccount } from "../users/users-file.js";
import { serializeCookie } from "./cookies.js";

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

interface CookieSpec {
  name: string;
  path: string;
  secure: boolean;
}

/**
 * The login cookie (HttpOnly) and its `_xsrf` partner, scoped to the base URL and Secure
 * over HTTPS. `identify` says whose cookie a value is.
 */
export abstract class AuthCookies {
  readonly name: string;

  constructor(protected readonly spec: CookieSpec) {
    this.name = spec.name;
  }

  /** The user a cookie value logs in, or null for a forged, stale or unknown one. */
  abstract identify(value: string): UserAccount | null;

  protected abstract valueFor(user: UserAccount): string;

  /** Logs the browser in as `user`: sets both cookies on `reply`. */
  set(reply: FastifyReply, user: UserAccount, xsrf: string): FastifyReply {
    const { name, path, secure } = this.spec;
    return reply.header("set-cookie", [
      serializeCookie(name, this.valueFor(user), { httpOnly: true, path, secure }),
      serializeCookie("_xsrf", xsrf, { path, secure }),
    ]);
  }

  /** Logs the browser out. */
  clear(reply: FastifyReply): FastifyReply {
    const { name, path, secure } = this.spec;
    return reply.header("set-cookie", [
      serializeCookie(name, "", { httpOnly: true, path, secure, maxAgeSeconds: 0 }),
      serializeCookie("_xsrf", "", { path, secure, maxAgeSeconds: 0 }),
    ]);
  }
}

/** One user (no users file): the cookie is an HMAC of the token and password, the same for every browser. */
export class OwnerCookies extends AuthCookies {
  private readonly value: string;

  constructor(
    spec: CookieSpec,
    secretKey: string,
    private readonly owner: UserAccount,
  ) {
    super(spec);
    // The cookie proves the secrets without being one; it survives a restart with the same token and password.
    this.value = createHmac("sha256", secretKey).update("tessera-auth-cookie").digest("hex");
  }

  identify(value: string): UserAccount | null {
    return safeEqual(value, this.value) ? this.owner : null;
  }

  protected valueFor(): string {
    return this.value;
  }
}

/** How long a workshop login lasts. */
const USER_COOKIE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * Many users: the cookie names the user and when they logged in, signed with the server's
 * secret and the user's password hash (a new password in the users file logs them out).
 */
export class UserCookies extends AuthCookies {
  constructor(
    spec: CookieSpec,
    private readonly secret: string,
    private readonly find: (name: string) => UserAccount | undefined,
    private readonly now: () => number = Date.now,
  ) {
    super(spec);
  }

  private mac(name: string, issued: string, passwordHash: string): string {
    return createHmac("sha256", this.secret).update(`${name}\n${issued}\n${passwordHash}`).digest("base64url");
  }

  protected valueFor(user: UserAccount): string {
    const issued = String(this.now());
    return `${Buffer.from(user.name).toString("base64url")}.${issued}.${this.mac(user.name, issued, user.passwordHash)}`;
  }

  identify(value: string): UserAccount | null {
    const parts = value.split(".");
    if (parts.length !== 3 || !/^\d{1,16}$/.test(parts[1])) return null;
    const user = this.find(Buffer.from(parts[0], "base64url").toString("utf8"));
    if (!user) return null;
    const age = this.now() - Number(parts[1]);
    if (age < 0 || age > USER_COOKIE_MAX_AGE_MS) return null;
    return safeEqual(parts[2], this.mac(user.name, parts[1], user.passwordHash)) ? user : null;
  }
}
