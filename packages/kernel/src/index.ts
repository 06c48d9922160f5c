/**
 * @tessera/kernel: the TypeScript cell engine. The server imports this entry for the facts
 * it needs (where the process entry is, the kernelspec, kernel_info) and forks
 * {@link KERNEL_MAIN}; the engine itself only runs inside that process.
 */
export { KERNEL_MAIN, KERNEL_SPEC, KERNEL_VERSION, kernelInfo, kernelSpecFile, languageInfo, typescriptVersion } from "./info.js";
export { STREAM_CAP_BYTES, STREAM_TAIL_BYTES } from "./runtime/streams.js";
