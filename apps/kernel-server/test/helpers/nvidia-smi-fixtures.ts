/**
 * Real `nvidia-smi` captures (shared/fixtures/nvidia-smi, beside the repository; not
 * copied into it). Each file has sections `# <phase> :: <name>` with the raw output of one
 * command; the `.metrics` files are nvidia_gpu_exporter's output for the same machine.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = process.env.TESSERA_NVSMI_FIXTURES ?? resolve(here, "../../../../../shared/fixtures/nvidia-smi");
export const haveFixtures = existsSync(FIXTURE_DIR);
/** For `describe(..., { skip })` when the shared folder is not beside the checkout. */
export const skipWithoutFixtures = haveFixtures ? false : `nvidia-smi fixtures not found at ${FIXTURE_DIR}`;

/** A CSV table as recorded with `--format=csv`: header names keep their ` [unit]`. */
export interface Table {
  header: string[];
  rows: string[][];
}

export interface Capture {
  file: string;
  sections: Map<string, string>;
  queryGpu(phase: "idle" | "load"): Table;
  computeApps(phase: "idle" | "load"): Table;
  version: string;
}

function splitSections(text: string): Map<string, string> {
  const lines = text.split("\n");
  const out = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    if (!/^#{40,}$/.test(lines[i]) || !lines[i + 1]?.startsWith("# ")) continue;
    const title = lines[i + 1].slice(2).trim();
    let j = i + 1;
    while (j < lines.length && !/^#{40,}$/.test(lines[j])) j++;
    let k = j + 1;
    while (k < lines.length && !/^#{40,}$/.test(lines[k])) k++;
    out.set(
      title,
      lines
        .slice(j + 1, k)
        .join("\n")
        .trim(),
    );
    i = k - 1;
  }
  return out;
}

function table(body: string): Table {
  const [head, ...rows] = body.split("\n").filter((l) => l.trim());
  return { header: head.split(", "), rows: rows.map((r) => r.split(", ")) };
}

/** The capture whose file name contains `fragment` (e.g. "h100-80gb", "h100-mig", "l40s"). */
export function loadCapture(fragment: string): Capture {
  const file = readdirSync(FIXTURE_DIR).find((f) => f.includes(fragment) && f.endsWith(".txt"));
  if (!file) throw new Error(`no capture matching ${fragment} in ${FIXTURE_DIR}`);
  const sections = splitSections(readFileSync(join(FIXTURE_DIR, file), "utf8"));
  const find = (prefix: string) => {
    for (const [title, body] of sections) if (title.startsWith(prefix)) return body;
    throw new Error(`${file}: no section ${prefix}`);
  };
  return {
    file,
    sections,
    queryGpu: (phase) => table(find(`${phase} :: query-gpu`)),
    computeApps: (phase) => table(find(`${phase} :: query-compute-apps`)),
    version: find("capabilities :: version"),
  };
}

/** Every `.txt` capture's name fragment (the GPU model part of the file name). */
export function allCaptures(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".txt"))
    .map((f) => f.split("__")[1]);
}

/** The exporter's output beside a capture (`…__load.metrics`). */
export function exporterMetrics(fragment: string): string {
  const file = readdirSync(FIXTURE_DIR).find((f) => f.includes(fragment) && f.endsWith(".metrics"));
  if (!file) throw new Error(`no .metrics matching ${fragment}`);
  return readFileSync(join(FIXTURE_DIR, file), "utf8");
}

/** Column name without its unit: "memory.used [MiB]" → "memory.used". */
export const columnName = (h: string) => h.replace(/\s*\[.*\]$/, "");

/**
 * What `--query-<x>=fields --format=csv,noheader,nounits` prints for one recorded row:
 * the named columns, units dropped, `[N/A]` and friends left as they are.
 */
export function csvLine(t: Table, row: string[], fields: readonly string[]): string {
  const names = t.header.map(columnName);
  return fields
    .map((f) => {
      const i = names.indexOf(f);
      if (i < 0) throw new Error(`field ${f} not recorded`);
      const unit = /\[(.*)\]$/.exec(t.header[i])?.[1];
      const v = row[i];
      return unit && v.endsWith(` ${unit}`) ? v.slice(0, -unit.length - 1) : v;
    })
    .join(", ");
}

/** One value of a recorded row by column name. */
export function cell(t: Table, row: string[], field: string): string {
  return row[t.header.map(columnName).indexOf(field)];
}
