/** Polls a condition on the test side (a file on disk, a REST answer) until it holds. */
import { LONG } from "./server.js";

/**
 * Resolves once `check` returns true; throws with `what` after `timeoutMs`.
 * @example await waitUntil(async () => existsSync(file), "the file is written")
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = LONG): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A promise that must settle within `timeoutMs` (for calls with no timeout of their own,
 * such as page.evaluate on a page that might be frozen).
 * @example assert.equal(await within(page.evaluate(() => 1), 60_000, "the page answers"), 1)
 */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
