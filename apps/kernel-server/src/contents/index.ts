/** The contents service: files and notebooks under the server's root, and their REST API. */
export { ContentsManager } from "./contents-manager.js";
export type { ContentsManagerOptions, GetOptions, NewUntitledOptions, SaveModel } from "./contents-manager.js";
export { contentsRoutes } from "./contents-routes.js";
export type { ContentsRoutesOptions } from "./contents-routes.js";
export { ContentsError } from "./contents-error.js";
export { CHECKPOINT_DIR, CHECKPOINT_ID, checkpointPath } from "./checkpoints.js";
export { normalizeNotebook, parseNotebook, serializeNotebook } from "./notebook-format.js";
export { normalizeApiPath } from "./path-jail.js";
export { writeFileAtomic } from "./atomic-write.js";
