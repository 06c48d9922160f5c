/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes
 * of JSON header padded with spaces to a multiple of 8, then every tensor's raw
 * little-endian, row-major bytes back to back. Output is byte-identical to Hugging Face's
 * reference writer (`prepare` in safetensors/src/tensor.rs): tensors ordered by its dtype
 * rank, highest first (I64 > F64 > F32 > I32 > BF16 > F16 > U8 > BOOL), then by name in
 * UTF-8 byte order; compact JSON. The reference keeps `__metadata__` in a hash map (so its key order varies
 * between runs); we write metadata keys in UTF-8 byte order, which is one of its orders.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, readFile, rename, rm } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join } from "node:path";

import { backend } from "../dispatch.js";
import { dtypeSize, type DType } from "../dtype.js";
import { numelOf } from "../strides.js";
import { emptyTensor, fmtShape, Tensor } from "../tensor.js";

/** Tensors by name, as a plain object or a Map. */
export type TensorMap = Record<string, Tensor> | Map<string, Tensor>;

/** What `deserialize` returns: the tensors (new CPU tensors) and the `__metadata__` strings, if any. */
export interface Deserialized {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | undefined;
}

const TO_ST: Record<DType, string> = {
  float64: "F64",
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
  int64: "I64",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([d, s]) => [s, d as DType]));
// The reference's Dtype enum order (BOOL < U8 < I8 < … < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64);
// it sorts by that rank descending. Only the relative order of our dtypes matters.
const RANK: Record<DType, number> = { bool: 0, uint8: 1, float16: 2, bfloat16: 3, int32: 4, float32: 5, float64: 6, int64: 7 };
// Dtypes other libraries write that have no tensor type here: named in errors.
const FOREIGN = ["I8", "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];
const MAX_HEADER = 100_000_000;
const utf8 = new TextEncoder();

const checkHost = (): void => {
  if (endianness() !== "LE") throw new Error("safetensors: big-endian hosts are not supported (the format is little-endian)");
};

function entriesOf(tensors: TensorMap): [string, Tensor][] {
  if (tensors === null || typeof tensors !== "object") throw new TypeError("safetensors: expected a Record or Map of tensors");
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of list) {
    if (typeof name !== "string") throw new TypeError(`safetensors: tensor names must be strings, got ${typeof name}`);
    if (name === "__metadata__") throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors: "${name}" is not a Tensor (got ${t === null ? "null" : typeof t})`);
    t.check(`safetensors: "${name}"`);
  }
  return list;
}

function byteOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

interface Prepared {
  header: Uint8Array; // the 8-byte length and the padded JSON
  order: [string, Tensor][];
  dataBytes: number;
}

function prepare(tensors: TensorMap, metadata?: Record<string, string>): Prepared {
  checkHost();
  const keyed = entriesOf(tensors).map(([name, t]) => ({ name, t, key: utf8.encode(name) }));
  keyed.sort((a, b) => RANK[b.t.dtype] - RANK[a.t.dtype] || byteOrder(a.key, b.key));
  const parts: string[] = [];
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object") throw new TypeError("safetensors: metadata must be an object of strings");
    const keys = Object.keys(metadata)
      .map((k) => ({ k, b: utf8.encode(k) }))
      .sort((a, b) => byteOrder(a.b, b.b));
    const body = keys.map(({ k }) => {
      const v = metadata[k];
      if (typeof v !== "string") throw new TypeError(`safetensors: metadata values must be strings; "${k}" is ${typeof v}`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`"__metadata__":{${body.join(",")}}`);
  }
  let offset = 0;
  for (const { name, t } of keyed) {
    const n = t.numel() * dtypeSize[t.dtype];
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${TO_ST[t.dtype]}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + n}]}`,
    );
    offset += n;
  }
  const json = utf8.encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { header, order: keyed.map(({ name, t }) => [name, t]), dataBytes: offset };
}

/** Row-major little-endian bytes of a tensor (non-contiguous views are copied in order). */
function bytesOf(t: Tensor): Uint8Array {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Encodes tensors (and optional string metadata) as safetensors bytes.
 *
 * @example
 * const bytes = tt.serialize({ w: tt.ones([2, 2]) }, { format: "pt" });
 */
export function serialize(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const p = prepare(tensors, metadata);
  const out = new Uint8Array(p.header.length + p.dataBytes);
  out.set(p.header, 0);
  let pos = p.header.length;
  for (const [, t] of p.order) {
    const b = bytesOf(t);
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

function fail(msg: string): never {
  throw new Error(`safetensors: ${msg}`);
}
const isNatural = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, info: unknown): Entry {
  if (info === null || typeof info !== "object" || Array.isArray(info)) fail(`header entry "${name}" is not an object`);
  const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
  if (typeof dtype !== "string") fail(`tensor "${name}" has no dtype`);
  const dt = Object.hasOwn(FROM_ST, dtype) ? FROM_ST[dtype] : undefined;
  if (dt === undefined) {
    if (FOREIGN.includes(dtype))
      fail(`tensor "${name}" has dtype ${dtype}, which has no tensor type here (supported: ${Object.keys(FROM_ST).join(", ")})`);
    fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(FROM_ST).join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isNatural)) fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNatural) || offs[1] < offs[0])
    fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offs)}`);
  const nbytes = numelOf(shape) * dtypeSize[dt];
  if (offs[1] - offs[0] !== nbytes)
    fail(
      `tensor "${name}": shape ${fmtShape(shape)} of ${dtype} needs ${nbytes} bytes, its data_offsets [${offs[0]}, ${offs[1]}] span ${offs[1] - offs[0]}`,
    );
  return { name, dtype: dt, shape, begin: offs[0], end: offs[1] };
}

// defineProperty, so a key such as "__proto__" is an ordinary own property.
const setOwn = <T>(obj: Record<string, T>, key: string, value: T): void => {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
};

/** A new CPU tensor holding an entry's bytes (a byte copy, so unaligned data is fine). */
function tensorOf(e: Entry, data: Uint8Array): Tensor {
  const t = emptyTensor(e.shape, e.dtype, "cpu");
  let raw = data.subarray(e.begin, e.end);
  if (e.dtype === "bool" && raw.some((v) => v > 1)) raw = raw.map((v) => (v ? 1 : 0));
  if (raw.length > 0) backend("cpu").write(t.storage.handle, 0, raw);
  return t;
}

/**
 * Decodes safetensors bytes, validating the header: its length, every dtype, shape and
 * offset, and that the offsets tile the data exactly.
 *
 * @example
 * const { tensors, metadata } = tt.deserialize(fs.readFileSync("model.safetensors"));
 */
export function deserialize(bytes: Uint8Array): Deserialized {
  checkHost();
  if (!(bytes instanceof Uint8Array)) throw new TypeError("safetensors: deserialize expects a Uint8Array (or Buffer)");
  if (bytes.length < 8) fail(`truncated file: ${bytes.length} bytes, but the header length alone takes 8`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} is larger than the ${MAX_HEADER}-byte limit (not a safetensors file?)`);
  const hlen = Number(n);
  if (8 + hlen > bytes.length) fail(`truncated file: the header needs ${hlen} bytes, only ${bytes.length - 8} follow the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + hlen)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("the header is not a JSON object");
  let metadata: Record<string, string> | undefined;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== "__metadata__") {
      entries.push(parseEntry(name, info));
      continue;
    }
    if (info === null || typeof info !== "object" || Array.isArray(info)) fail("__metadata__ is not an object");
    metadata = {};
    for (const [k, v] of Object.entries(info)) {
      if (typeof v !== "string") fail(`__metadata__ values must be strings; "${k}" is ${typeof v}`);
      setOwn(metadata, k, v);
    }
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const e of entries) {
    if (e.begin !== expect)
      fail(`tensor "${e.name}" starts at byte ${e.begin}; expected ${expect} (offsets must be contiguous, without gaps or overlaps)`);
    expect = e.end;
  }
  const data = bytes.subarray(8 + hlen);
  if (expect > data.length) fail(`truncated file: the header describes ${expect} bytes of tensor data, only ${data.length} are present`);
  if (expect < data.length) fail(`${data.length - expect} unexpected bytes after the last tensor's data`);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) setOwn(tensors, e.name, tensorOf(e, data));
  return { tensors, metadata };
}

const tempPath = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);

// One write call may write less than asked (Linux caps a call near 2 GiB): loop until done.
async function writeAll(write: (b: Uint8Array, at: number) => Promise<{ bytesWritten: number }>, b: Uint8Array): Promise<void> {
  for (let at = 0; at < b.length;) at += (await write(b, at)).bytesWritten;
}

function writeAllSync(fd: number, b: Uint8Array): void {
  for (let at = 0; at < b.length;) at += writeSync(fd, b, at);
}

function syncDir(path: string): void {
  // Makes the rename itself durable; some platforms cannot open a directory, which is fine.
  try {
    const fd = openSync(dirname(path), "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes tensors to a safetensors file atomically (temp file in the same folder, fsync,
 * rename), so a crash never leaves a half-written file under `path`.
 *
 * @example
 * await tt.save({ "fc.weight": w, "fc.bias": b }, "model.safetensors");
 */
export async function save(tensors: TensorMap, path: string, metadata?: Record<string, string>): Promise<void> {
  const p = prepare(tensors, metadata);
  const tmp = tempPath(path);
  const fh = await open(tmp, "w");
  try {
    try {
      await writeAll((b, at) => fh.write(b, at), p.header);
      for (const [, t] of p.order) if (t.numel() > 0) await writeAll((b, at) => fh.write(b, at), bytesOf(t));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  syncDir(path);
}

/** Synchronous twin of `save`. @example tt.saveSync({ w: tt.randn([3, 3]) }, "w.safetensors"); */
export function saveSync(tensors: TensorMap, path: string, metadata?: Record<string, string>): void {
  const p = prepare(tensors, metadata);
  const tmp = tempPath(path);
  const fd = openSync(tmp, "w");
  try {
    try {
      writeAllSync(fd, p.header);
      for (const [, t] of p.order) if (t.numel() > 0) writeAllSync(fd, bytesOf(t));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(path);
}

function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("safetensors: "))
      throw new Error(`safetensors: ${path}: ${e.message.slice("safetensors: ".length)}`, { cause: e });
    throw e;
  }
}

/**
 * Reads a safetensors file (its `__metadata__` too) into new CPU tensors.
 *
 * @example
 * const { tensors, metadata } = await tt.loadFile("model.safetensors");
 */
export async function loadFile(path: string): Promise<Deserialized> {
  const bytes = await readFile(path);
  return withPath(path, () => deserialize(bytes));
}

/** Synchronous twin of `loadFile`. @example tt.loadFileSync("model.safetensors").metadata */
export function loadFileSync(path: string): Deserialized {
  const bytes = readFileSync(path);
  return withPath(path, () => deserialize(bytes));
}

/**
 * Reads a safetensors file into new CPU tensors, by name.
 *
 * @example
 * const sd = await tt.load("model.safetensors");
 * sd["fc.weight"].shape; // [10, 784]
 */
export async function load(path: string): Promise<Record<string, Tensor>> {
  return (await loadFile(path)).tensors;
}

/** Synchronous twin of `load`. @example const sd = tt.loadSync("model.safetensors"); */
export function loadSync(path: string): Record<string, Tensor> {
  return loadFileSync(path).tensors;
}
