/**
 * Jupyter Server REST calls. The auth cookie rides along by itself; every call that is
 * not a GET carries the `_xsrf` cookie's value in `X-XSRFToken`, as Jupyter requires.
 */
import type { RestError } from "@tessera/protocol";
import { apiUrl } from "./urls.js";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function xsrfToken(): string | null {
  const m = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Calls `/api/...` and returns the decoded JSON (undefined for 204). Throws {@link ApiError}. */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", route: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = xsrfToken();
    if (token) headers["X-XSRFToken"] = token;
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(route), {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(`The server cannot be reached (${(err as Error).message})`, 0);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const data = (await res.json()) as RestError;
      if (data && typeof data.message === "string" && data.message) message = data.message;
    } catch {}
    throw new ApiError(message, res.status);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * After the server refused a connection: if the login is gone (server restarted with a
 * new token, cookie cleared), go to the login page instead of retrying for ever.
 */
export async function checkLogin(): Promise<void> {
  try {
    const res = await fetch(apiUrl("api/status"), { credentials: "same-origin" });
    if (res.status === 403) {
      const next = location.pathname + location.search;
      location.assign(`${apiUrl("login")}?next=${encodeURIComponent(next)}`);
    }
  } catch {}
}
