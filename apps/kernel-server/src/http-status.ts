/** The HTTP status an error carries (KernelError, ContentsError and Fastify errors have one), or 500. */
export function httpStatusOf(err: unknown): number {
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const own = e?.status ?? e?.statusCode;
  return typeof own === "number" && own >= 400 && own < 600 ? own : 500;
}
