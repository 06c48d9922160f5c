/**
 * Keeps `Function.prototype.apply` Node's own.
 *
 * Node calls every I/O callback (pipe reads, the IPC channel, the interrupt watcher's
 * messages) as `callback.apply(…)` once async hooks are on, which the kernel's
 * AsyncLocalStorage turns on, and every event listener as `listener.apply(…)`. After a cell
 * replaced `Function.prototype.apply`, the kernel would hear nothing again, not even an
 * interrupt. No capture on the kernel's side can help (the calls are inside Node), so the
 * property is made an accessor that always gives the original and refuses, with a reason,
 * to be replaced.
 */
import { ObjectDefineProperty } from "./primordials.js";

const originalApply = Function.prototype.apply;

/** What a cell that assigns `Function.prototype.apply` is told. */
export const APPLY_LOCKED_MESSAGE =
  "Function.prototype.apply cannot be replaced in a Tessera kernel: Node calls every I/O callback and event listener through it, so the kernel would stop hearing requests";

/**
 * Makes `Function.prototype.apply` permanent. Idempotent only in effect: call once, at start.
 * @example lockFunctionApply(); Function.prototype.apply = f; // TypeError: … cannot be replaced …
 */
export function lockFunctionApply(): void {
  ObjectDefineProperty(Function.prototype, "apply", {
    get: () => originalApply,
    set: () => {
      throw new TypeError(APPLY_LOCKED_MESSAGE);
    },
    enumerable: false,
    configurable: false,
  });
}
