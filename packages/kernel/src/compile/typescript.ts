/**
 * Lazy access to the TypeScript compiler.
 *
 * `typescript` is ~9 MB of JavaScript and takes ~250 ms to load, longer than the whole
 * rest of kernel start-up. The kernel says `ready` first and loads it afterwards (or on
 * the first request that needs it), so starting a kernel stays fast.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";

export type { TS };

const require = createRequire(import.meta.url);
let loaded: typeof TS | undefined;

/** The TypeScript compiler API, loaded on first use (synchronously: it is a CommonJS module). */
export function ts(): typeof TS {
  loaded ??= require("typescript") as typeof TS;
  return loaded;
}

/** Whether {@link ts} has been loaded already. */
export function typescriptLoaded(): boolean {
  return loaded !== undefined;
}
