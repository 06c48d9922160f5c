import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { RestError } from "@tessera/protocol";
import { HttpError } from "./http-error.js";
import { redactUrl } from "./redact.js";

/**
 * The one error path of the server, as Jupyter Server's `APIHandler.write_error`: every
 * error a route, hook or body parser throws is answered `{message, reason}`.
 *
 * - an HttpError (and its subclasses, ContentsError): its status, message and reason;
 * - any other error with a 4xx status (Fastify's own: a body too large, a bad
 *   Content-Length; @fastify/static's): that status and its message, reason null;
 * - anything else is a bug: 500 (or the error's own 5xx status) with "Unhandled error",
 *   logged with its stack. Nothing of it reaches the client.
 *
 * Messages and logs never carry a request's secrets: URLs are quoted without their query's
 * `token`, `_xsrf` and `password` values.
 */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const { status } = answer(reply, err);
  if (status >= 500) req.log.error({ error: loggable(err), status }, "request failed");
}

/** Sends the answer to `err`; returns its status. */
function answer(reply: FastifyReply, err: unknown): { status: number } {
  const { status, body } = errorReply(err);
  void reply.code(status).send(body);
  return { status };
}

/** The status and the body an error is answered with (see {@link errorHandler}). */
function errorReply(err: unknown): { status: number; body: RestError } {
  if (err instanceof HttpError) return { status: err.status, body: { message: err.message, reason: err.reason } };
  const e = err as { statusCode?: unknown; status?: unknown; message?: unknown } | null;
  const own = e?.statusCode ?? e?.status;
  const status = typeof own === "number" && own >= 400 && own < 600 ? own : 500;
  if (status < 500 && typeof e?.message === "string") return { status, body: { message: redactUrl(e.message), reason: null } };
  return { status, body: { message: "Unhandled error", reason: null } };
}

/** What the errors Fastify answers before routing say (never the URL: it may carry `?token=`). */
const FRAMEWORK_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: "Malformed URL: a %-escape in its path is not valid",
  FST_ERR_MAX_PARAM_LENGTH: "URL too long: a part of its path is over the length limit",
};

/**
 * Fastify's `frameworkErrors` option: the errors it answers before routing (a malformed
 * %-escape in the path, an overlong parameter). They say what is wrong and quote nothing
 * of the URL.
 */
export function frameworkErrors(err: FastifyError, _req: unknown, reply: FastifyReply): void {
  answer(reply, new HttpError(err.statusCode ?? 400, FRAMEWORK_ERRORS[err.code] ?? "Bad request"));
}

/** Answers a request no route matches: 404, naming the method and path (without the query). */
export async function notFoundHandler(req: FastifyRequest): Promise<never> {
  throw new HttpError(404, `Not found: ${req.method} ${redactUrl(req.url).split("?")[0]}`);
}

/** An error as the log shows it: its kind, message and stack, with secrets in URLs redacted. */
function loggable(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: redactUrl(String(err)) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: redactUrl(err.message), ...(code !== undefined ? { code } : {}), stack: redactUrl(err.stack ?? "") };
}
