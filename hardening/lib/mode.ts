/**
 * The hardening suite runs in two sizes: quick (part of `npm test`, a few seconds per
 * test) and full (`npm run test:hardening`: the durations and counts the reliability
 * figures are measured with). Every bound is on count and time; everything is loopback.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO } from "../../e2e/lib/server.js";

export const FULL = process.env.TESSERA_HARDENING === "full";

/** `quick` in CI, `full` under `npm run test:hardening`. */
export const size = <T>(quick: T, full: T): T => (FULL ? full : quick);

/** Where measured figures go (git-ignored); docs/reliability.md quotes them. */
export const RESULTS = join(REPO, "hardening", "results");

/** Writes one test's figures as JSON and prints them, so a run leaves its numbers behind. */
export async function report(name: string, figures: Record<string, unknown>): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  const data = { name, mode: FULL ? "full" : "quick", at: new Date().toISOString(), ...figures };
  await writeFile(join(RESULTS, `${name}.json`), JSON.stringify(data, null, 2) + "\n");
  console.log(`[hardening] ${name}: ${JSON.stringify(figures)}`);
}
