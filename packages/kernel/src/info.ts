/**
 * Facts about the kernel that the server needs without starting one: where the process
 * entry lives, the kernelspec, and the `kernel_info_reply` content.
 *
 * Kept free of heavy imports (no `typescript`), so the server can import it cheaply.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION, TYPESCRIPT_KERNELSPEC, type KernelInfoReplyContent, type KernelSpecFile } from "@tessera/protocol";

/**
 * Absolute path of the kernel process entry (`dist/main.js`). The server forks it.
 * @example fork(KERNEL_MAIN, [], { cwd: notebookDir, stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ipc"] })
 */
export const KERNEL_MAIN: string = fileURLToPath(new URL("./main.js", import.meta.url));

const require = createRequire(import.meta.url);

function packageVersion(packageJsonPath: string): string {
  try {
    return (JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

let cachedTsVersion: string | undefined;
/** The TypeScript version cells are compiled with (read from its package.json, without loading it). */
export function typescriptVersion(): string {
  cachedTsVersion ??= packageVersion(require.resolve("typescript").replace(/lib[\\/]typescript\.js$/, "package.json"));
  return cachedTsVersion;
}

/** This package's version. */
export const KERNEL_VERSION: string = packageVersion(fileURLToPath(new URL("../package.json", import.meta.url)));

/** `language_info` as Jupyter front ends want it (CodeMirror/Monaco mode, file extension). */
export function languageInfo(): KernelInfoReplyContent["language_info"] {
  return {
    name: "typescript",
    version: typescriptVersion(),
    mimetype: "text/typescript",
    file_extension: ".ts",
    pygments_lexer: "typescript",
    codemirror_mode: "typescript",
  };
}

/**
 * The `kernel_info_reply` content.
 * @example kernelInfo().language_info.name // "typescript"
 */
export function kernelInfo(): KernelInfoReplyContent {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tessera",
    implementation_version: KERNEL_VERSION,
    language_info: languageInfo(),
    banner: `Tessera TypeScript kernel ${KERNEL_VERSION} (TypeScript ${typescriptVersion()}, Node ${process.version})`,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/api/" },
    ],
    debugger: false,
  };
}

/** Kernelspec facts: interrupts arrive as messages (a byte on fd 3 plus `interrupt_request`), never as signals. */
export const KERNEL_SPEC = {
  ...TYPESCRIPT_KERNELSPEC,
  interrupt_mode: "message",
} as const;

/**
 * The kernelspec file (`kernel.json`) for this kernel, as `/api/kernelspecs` serves it.
 * @example kernelSpecFile().argv // [process.execPath, KERNEL_MAIN]
 */
export function kernelSpecFile(): KernelSpecFile {
  return {
    argv: [process.execPath, KERNEL_MAIN],
    display_name: KERNEL_SPEC.display_name,
    language: KERNEL_SPEC.language,
    interrupt_mode: KERNEL_SPEC.interrupt_mode,
    env: {},
    metadata: {},
  };
}
