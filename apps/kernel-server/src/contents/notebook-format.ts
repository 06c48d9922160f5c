import { randomUUID } from "node:crypto";
import { TYPESCRIPT_KERNELSPEC, joinSource, splitLines } from "@tessera/protocol";
import type { Notebook } from "@tessera/protocol";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../http/json-depth.js";
import { ContentsError, quotePath } from "./contents-error.js";

/** nbformat 4.5's rule for cell ids. */
const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const CELL_TYPES = new Set(["code", "markdown", "raw"]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMultiline(value: unknown): value is string | string[] {
  return typeof value === "string" || (Array.isArray(value) && value.every((l) => typeof l === "string"));
}

/** JSON mimetypes hold structured data; every other mimetype's string is split into lines. */
function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

/** Applies `fn` to each multiline string nbformat splits into lines on disk. */
function mapMultiline(nb: Json, fn: (value: string | string[]) => string | string[]): void {
  const mapBundle = (bundle: unknown) => {
    if (!isObject(bundle)) return;
    for (const [mime, value] of Object.entries(bundle)) {
      if (!isJsonMime(mime) && isMultiline(value)) bundle[mime] = fn(value);
    }
  };
  if (!Array.isArray(nb.cells)) return;
  for (const cell of nb.cells) {
    if (!isObject(cell)) continue;
    if (isMultiline(cell.source)) cell.source = fn(cell.source);
    if (isObject(cell.attachments)) for (const a of Object.values(cell.attachments)) mapBundle(a);
    if (!Array.isArray(cell.outputs)) continue;
    for (const out of cell.outputs) {
      if (!isObject(out)) continue;
      if (out.output_type === "stream" && isMultiline(out.text)) out.text = fn(out.text);
      mapBundle(out.data);
    }
  }
}

/** Copies a JSON value with object keys sorted, as nbformat writes (`sort_keys=True`). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/** Removes what nbformat never stores: transient display ids and load-time markers. */
function stripTransient(nb: Json): void {
  if (isObject(nb.metadata)) {
    delete nb.metadata.orig_nbformat;
    delete nb.metadata.orig_nbformat_minor;
  }
  if (!Array.isArray(nb.cells)) return;
  for (const cell of nb.cells) {
    if (!isObject(cell)) continue;
    if (isObject(cell.metadata)) delete cell.metadata.trusted;
    if (Array.isArray(cell.outputs)) for (const out of cell.outputs) if (isObject(out)) delete out.transient;
  }
}

function newCellId(taken: Set<string>): string {
  for (;;) {
    const id = randomUUID().replace(/-/g, "").slice(0, 8);
    if (!taken.has(id)) return id;
  }
}

/**
 * Checks a notebook sent for saving and brings it to nbformat 4.5: every cell gets a
 * unique, valid `id` (missing, malformed or repeated ones are replaced),
 * `nbformat_minor` is at least 5, missing optional fields get their defaults, and a
 * notebook without a kernelspec gets Tessera's TypeScript one. The input is not changed.
 * Throws ContentsError 400 naming the first problem.
 *
 * @example
 * const nb = normalizeNotebook({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [] });
 * nb.nbformat_minor; // 5
 */
export function normalizeNotebook(value: unknown, apiPath = ""): Notebook {
  const where = apiPath ? ` ${quotePath(apiPath)}` : "";
  const bad = (what: string) => new ContentsError(400, `Invalid notebook${where}: ${what}`, "bad notebook");
  if (!isObject(value)) throw bad("the content must be a JSON object");
  // structuredClone below and serializing must not overflow the stack: deeper is refused.
  if (nestedDeeperThan(value)) throw bad(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  if (value.nbformat !== 4) {
    throw bad(`nbformat ${JSON.stringify(value.nbformat ?? null)} is not supported; only nbformat 4 is`);
  }
  const nb = structuredClone(value);
  const minor = typeof nb.nbformat_minor === "number" && Number.isInteger(nb.nbformat_minor) ? nb.nbformat_minor : 0;
  nb.nbformat_minor = Math.max(minor, 5);
  if (nb.metadata === undefined) nb.metadata = {};
  if (!isObject(nb.metadata)) throw bad("metadata must be an object");
  if (nb.metadata.kernelspec === undefined) {
    nb.metadata.kernelspec = { ...TYPESCRIPT_KERNELSPEC };
    nb.metadata.language_info ??= { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" };
  }
  if (!Array.isArray(nb.cells)) throw bad("cells must be an array");

  const taken = new Set<string>();
  nb.cells.forEach((cell: unknown, i: number) => {
    const at = `cells[${i}]`;
    if (!isObject(cell)) throw bad(`${at} must be an object`);
    if (typeof cell.cell_type !== "string" || !CELL_TYPES.has(cell.cell_type)) {
      throw bad(`${at}.cell_type must be "code", "markdown" or "raw"`);
    }
    if (cell.source === undefined) cell.source = "";
    if (!isMultiline(cell.source)) throw bad(`${at}.source must be a string or a list of strings`);
    if (cell.metadata === undefined) cell.metadata = {};
    if (!isObject(cell.metadata)) throw bad(`${at}.metadata must be an object`);
    if (typeof cell.id !== "string" || !CELL_ID.test(cell.id) || taken.has(cell.id)) cell.id = newCellId(taken);
    taken.add(cell.id as string);
    if (cell.cell_type !== "code") return;
    if (cell.outputs === undefined) cell.outputs = [];
    if (!Array.isArray(cell.outputs)) throw bad(`${at}.outputs must be an array`);
    cell.outputs.forEach((out: unknown, j: number) => {
      if (!isObject(out) || typeof out.output_type !== "string") {
        throw bad(`${at}.outputs[${j}] must be an object with an output_type`);
      }
    });
    if (cell.execution_count === undefined) cell.execution_count = null;
    if (cell.execution_count !== null && typeof cell.execution_count !== "number") {
      throw bad(`${at}.execution_count must be a number or null`);
    }
  });
  return nb as unknown as Notebook;
}

/**
 * Serializes a notebook the way nbformat writes it (so a file saved here and re-saved by
 * Jupyter does not change): one-space indent, sorted keys, multiline strings split into
 * lists of lines, transient fields dropped, a final newline.
 */
export function serializeNotebook(nb: Notebook): string {
  const copy = structuredClone(nb) as unknown as Json;
  stripTransient(copy);
  mapMultiline(copy, (v) => (Array.isArray(v) ? v : splitLines(v)));
  return `${JSON.stringify(sortKeys(copy), null, 1)}\n`;
}

/**
 * Parses a notebook file: JSON, nbformat 4, with the line lists joined back into strings
 * (what Jupyter's contents API returns). Throws ContentsError 400 for anything unreadable.
 */
export function parseNotebook(text: string, apiPath: string): Notebook {
  const unreadable = (why: string) => new ContentsError(400, `Unreadable notebook ${quotePath(apiPath)}: ${why}`, "bad notebook");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw unreadable(err instanceof Error ? err.message : "invalid JSON");
  }
  if (!isObject(value)) throw unreadable("not a JSON object");
  // JSON.parse reads any depth, but a model must serialize when sent: deeper is unreadable.
  if (nestedDeeperThan(value)) throw unreadable(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  if (value.nbformat !== 4) {
    throw unreadable(`nbformat ${JSON.stringify(value.nbformat ?? null)} is not supported; only nbformat 4 is`);
  }
  if (!Array.isArray(value.cells)) throw unreadable("cells is not an array");
  if (!isObject(value.metadata)) value.metadata = {};
  mapMultiline(value, (v) => joinSource(v));
  stripTransient(value);
  return value as unknown as Notebook;
}
