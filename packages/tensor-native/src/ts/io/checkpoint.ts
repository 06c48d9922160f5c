/**
 * Training checkpoints as ONE safetensors file: every tensor under a prefixed name
 * ("model.<key>", "optimizer.<path>", "extra.<path>"), and everything else (optimizer structure, step,
 * extra) as JSON in `__metadata__`, where each tensor's place holds {"$tensor": name}.
 * Any safetensors reader can open the file; the "model." tensors are a plain state dict.
 */
import { Tensor } from "../tensor.js";
import { loadFile, loadFileSync, save, saveSync, type Deserialized, type TensorMap } from "./safetensors.js";

/** What a checkpoint holds; every field is optional. */
export interface Checkpoint {
  /** The model's state dict (parameters and buffers by name). */
  model?: TensorMap;
  /** Optimizer state: JSON-able data that may contain tensors at any depth. */
  optimizer?: unknown;
  /** The training step. */
  step?: number;
  /** Anything else JSON-able (tensors allowed too): epoch, config, best loss… */
  extra?: unknown;
}

/** A checkpoint as loaded: tensors are new CPU tensors, the model a plain object. */
export interface LoadedCheckpoint {
  model?: Record<string, Tensor>;
  optimizer?: unknown;
  step?: number;
  extra?: unknown;
}

const FORMAT = "tessera.checkpoint/1";
// Markers inside the JSON structure; user objects may not use these keys.
const TENSOR = "$tensor",
  NUMBER = "$number";

class Encoder {
  readonly tensors = new Map<string, Tensor>();
  private readonly names = new Map<Tensor, string>();

  add(name: string, t: Tensor): string {
    const seen = this.names.get(t);
    if (seen !== undefined) return seen; // the same tensor object twice (tied weights) is stored once
    let unique = name;
    for (let i = 1; this.tensors.has(unique); i++) unique = `${name}#${i}`;
    this.tensors.set(unique, t);
    this.names.set(t, unique);
    return unique;
  }

  /** Lets later references to `t` (from the optimizer state) point at an existing name. */
  alias(t: Tensor, name: string): void {
    if (!this.names.has(t)) this.names.set(t, name);
  }

  /** A JSON-able copy of `v` with tensors replaced by {"$tensor": name}. */
  encode(v: unknown, path: string, where: string): unknown {
    if (v instanceof Tensor) return { [TENSOR]: this.add(path, v) };
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { [NUMBER]: String(v) };
    if (Array.isArray(v)) return v.map((x, i) => this.encode(x === undefined ? null : x, `${path}.${i}`, `${where}[${i}]`));
    if (typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === TENSOR || k === NUMBER)
          throw new Error(`saveCheckpoint: ${where}.${k}: the keys "${TENSOR}" and "${NUMBER}" are reserved`);
        if (x !== undefined) Object.defineProperty(out, k, { value: this.encode(x, `${path}.${k}`, `${where}.${k}`), enumerable: true });
      }
      return out;
    }
    const kind = typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v;
    throw new TypeError(
      `saveCheckpoint: ${where} is a ${kind}; a checkpoint holds tensors, plain objects, arrays, strings, numbers, booleans and null`,
    );
  }
}

function encode(ckpt: Checkpoint): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (ckpt === null || typeof ckpt !== "object")
    throw new TypeError("saveCheckpoint: expected an object { model?, optimizer?, step?, extra? }");
  const enc = new Encoder();
  const structure: Record<string, unknown> = {};
  if (ckpt.model !== undefined) {
    const entries = ckpt.model instanceof Map ? [...ckpt.model.entries()] : Object.entries(ckpt.model);
    const model: Record<string, string> = {};
    for (const [k, t] of entries) {
      if (!(t instanceof Tensor)) throw new TypeError(`saveCheckpoint: model["${k}"] is not a Tensor`);
      if (enc.tensors.has(`model.${k}`)) throw new Error(`saveCheckpoint: model key "${k}" appears twice`);
      // Each model key keeps its own name, even when two keys share one tensor object.
      enc.tensors.set(`model.${k}`, t);
      enc.alias(t, `model.${k}`);
      Object.defineProperty(model, k, { value: `model.${k}`, enumerable: true });
    }
    structure.model = model;
  }
  if (ckpt.step !== undefined) {
    if (typeof ckpt.step !== "number" || !Number.isFinite(ckpt.step))
      throw new TypeError(`saveCheckpoint: step must be a finite number, got ${String(ckpt.step)}`);
    structure.step = ckpt.step;
  }
  if (ckpt.optimizer !== undefined) structure.optimizer = enc.encode(ckpt.optimizer, "optimizer", "optimizer");
  if (ckpt.extra !== undefined) structure.extra = enc.encode(ckpt.extra, "extra", "extra");
  return { tensors: enc.tensors, metadata: { format: FORMAT, checkpoint: JSON.stringify(structure) } };
}

function decode(v: unknown, tensors: Record<string, Tensor>, used: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => decode(x, tensors, used));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === TENSOR) {
    const name = String(o[TENSOR]);
    if (!Object.hasOwn(tensors, name))
      throw new Error(`loadCheckpoint: the structure refers to a tensor "${name}" that the file does not hold`);
    used.add(name);
    return tensors[name];
  }
  if (keys.length === 1 && keys[0] === NUMBER) return Number(o[NUMBER]);
  const out: Record<string, unknown> = {};
  for (const k of keys)
    Object.defineProperty(out, k, { value: decode(o[k], tensors, used), enumerable: true, writable: true, configurable: true });
  return out;
}

function parse(path: string, { tensors, metadata }: Deserialized): LoadedCheckpoint {
  const used = new Set<string>();
  try {
    if (metadata?.format !== FORMAT || metadata.checkpoint === undefined)
      throw new Error(
        `loadCheckpoint: ${path} is a safetensors file but not a checkpoint (no "${FORMAT}" metadata); use tt.load for plain tensor files`,
      );
    let structure: Record<string, unknown>;
    try {
      structure = JSON.parse(metadata.checkpoint) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`loadCheckpoint: ${path}: the checkpoint structure is not valid JSON (${(e as Error).message})`);
    }
    return restore(structure, tensors, used);
  } finally {
    for (const [name, t] of Object.entries(tensors)) if (!used.has(name)) t.dispose();
  }
}

function restore(structure: Record<string, unknown>, tensors: Record<string, Tensor>, used: Set<string>): LoadedCheckpoint {
  const out: LoadedCheckpoint = {};
  if (structure.model !== undefined) {
    const model: Record<string, Tensor> = {};
    for (const [k, name] of Object.entries(structure.model as Record<string, string>))
      Object.defineProperty(model, k, {
        value: decode({ [TENSOR]: name }, tensors, used),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    out.model = model;
  }
  if (structure.optimizer !== undefined) out.optimizer = decode(structure.optimizer, tensors, used);
  if (typeof structure.step === "number") out.step = structure.step;
  if (structure.extra !== undefined) out.extra = decode(structure.extra, tensors, used);
  return out;
}

/**
 * Saves model weights, optimizer state, the step and extra data to one safetensors file,
 * atomically (temp file + fsync + rename).
 *
 * @example
 * await tt.saveCheckpoint("run/ckpt.safetensors", {
 *   model: { "fc.weight": w, "fc.bias": b },
 *   optimizer: { state: { 0: { expAvg: m, step: 3 } }, paramGroups: [{ lr: 1e-3 }] },
 *   step: 300,
 *   extra: { epoch: 2, bestLoss: Infinity },
 * });
 */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  const { tensors, metadata } = encode(ckpt);
  await save(tensors, path, metadata);
}

/** Synchronous twin of `saveCheckpoint`. @example tt.saveCheckpointSync("ckpt.safetensors", { model: sd, step }) */
export function saveCheckpointSync(path: string, ckpt: Checkpoint): void {
  const { tensors, metadata } = encode(ckpt);
  saveSync(tensors, path, metadata);
}

/**
 * Loads a file written by `saveCheckpoint`: the same structure, tensors restored as new
 * CPU tensors (dispose them, or load inside your own lifetime management).
 *
 * @example
 * const { model, optimizer, step } = await tt.loadCheckpoint("run/ckpt.safetensors");
 */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  return parse(path, await loadFile(path));
}

/** Synchronous twin of `loadCheckpoint`. @example const { step } = tt.loadCheckpointSync("ckpt.safetensors"); */
export function loadCheckpointSync(path: string): LoadedCheckpoint {
  return parse(path, loadFileSync(path));
}
