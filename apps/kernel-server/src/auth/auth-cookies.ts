import { timingSafeEqual } from "node:crypto";
import type { FastifyReply } from "fastify";
import { serializeCookie } from "./cookies.js";

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The login cookie (HttpOnly, an HMAC of the secrets) and its `_xsrf` partner, scoped to
 * the base URL and Secure over HTTPS.
 */
export class AuthCookies {
  readonly name: string;

  constructor(private readonly spec: { name: string; value: string; path: string; secure: boolean }) {
    this.name = spec.name;
  }

  valid(cookie: string): boolean {
    return safeEqual(cookie, this.spec.value);
  }

  /** Logs the browser in: sets both cookies on `reply`. */
  set(reply: FastifyReply, xsrf: string): FastifyReply {
    const { path, secure } = this.spec;
    return reply.header("set-cookie", [serializeCookie(this.name, this.spec.value, { httpOnly: true, path, secure }), serializeCookie("_xsrf", xsrf, { path, secure })]);
  }
}
