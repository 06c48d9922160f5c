export * from "./messages.js";
export * from "./make.js";
export * from "./validate.js";
export * from "./nbformat.js";
export * from "./rest.js";
export * from "./ipc.js";
export * from "./document.js";
export * from "./apply-op.js";
