/** Constants the e2e helpers share, in a module that imports none of them (no import cycle). */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(import.meta.url), "..", "..", "..");

/** Generous: the machines that run this are slow and shared. */
export const LONG = 60_000;
