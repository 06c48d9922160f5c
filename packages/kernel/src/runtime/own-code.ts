/**
 * Where the kernel's own code lives: the package's compiled root (`dist/`, or `src/` when
 * run from source), the folder above this one. A stack frame or a timer from a file under
 * it is the kernel's machinery, never a cell's; bare imports that the notebook folder
 * cannot resolve are looked up from it (so workspace packages resolve from any notebook).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { StringPrototypeStartsWith } from "./primordials.js";

/**
 * The folder of the kernel's code.
 * @example KERNEL_DIR // "/app/packages/kernel/dist"
 */
export const KERNEL_DIR: string = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const KERNEL_DIR_PREFIX = KERNEL_DIR + path.sep;
const KERNEL_URL_PREFIX = new URL("..", import.meta.url).href;

/**
 * Whether a file (a path or a `file:` URL, as stack frames name them) is the kernel's own.
 * Runs while stack traces are formatted, whatever cells did to the built-ins: captured
 * built-ins only.
 * @example isKernelFile(import.meta.url) // true
 */
export function isKernelFile(file: string): boolean {
  return StringPrototypeStartsWith(file, KERNEL_URL_PREFIX) || StringPrototypeStartsWith(file, KERNEL_DIR_PREFIX);
}
