/**
 * An error that is an HTTP answer: the status and the `{message, reason}` body Jupyter
 * Server sends for a `raise web.HTTPError(status, message)`. Routes, hooks and the services
 * behind them throw it; the app's one error handler (`error-handler.ts`) sends it.
 * Messages are for the client: they name API paths and ids, never a path on the server's disk.
 *
 * @example
 * throw new HttpError(404, `Kernel does not exist: ${id}`);
 */
export class HttpError extends Error {
  constructor(
    /** HTTP status, 400 to 599. */
    readonly status: number,
    message: string,
    /** Sent as `reason`; null, as Jupyter's `web.HTTPError` leaves it, unless given. */
    readonly reason: string | null = null,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
