/**
 * Builds a program step by step while running it in @tessera/tensor: each step runs as it
 * is added, so a generator picks its next operands from what the earlier steps really
 * produced (shape, dtype, requires-grad). Replaying a program runs the same code path.
 */
import * as tt from "../../src/ts/index.js";
import type { Program, Step } from "./program.js";
import { encode, type Value } from "./value.js";

/** What a generator knows of a tensor value in scope. */
export interface TensorInfo {
  name: string;
  dtype: tt.DType;
  shape: readonly number[];
  requiresGrad: boolean;
  isLeaf: boolean;
}

/** Runs one step's TypeScript against the values in scope. */
function execute(step: Step, scope: Map<string, unknown>): { ok: true; value: unknown } | { ok: false; error: Error } {
  try {
    const fn = new Function("tt", ...step.refs, `"use strict"; return (${step.ts});`) as (...a: unknown[]) => unknown;
    return { ok: true, value: fn(tt, ...step.refs.map((r) => scope.get(r))) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
}

export class Builder {
  readonly steps: Step[] = [];
  /** Tessera's value of each step, encoded right after it ran (later in-place ops cannot change it). */
  readonly results: Value[] = [];
  private readonly scope = new Map<string, unknown>();
  private counter = 0;

  /** A fresh variable name. */
  name(prefix = "t"): string {
    return `${prefix}${this.counter++}`;
  }

  /** Adds and runs a step; returns its value, or undefined when it threw or was skipped. */
  add(step: Omit<Step, "out"> & { out?: string }): unknown {
    const s: Step = { ...step, out: step.out ?? this.name() };
    this.steps.push(s);
    if (s.refs.some((r) => !this.scope.has(r))) {
      this.results.push({ kind: "skip" });
      return undefined;
    }
    const r = execute(s, this.scope);
    if (!r.ok) {
      this.results.push({ kind: "error", message: `${r.error.name}: ${r.error.message}` });
      return undefined;
    }
    this.scope.set(s.out, r.value);
    let v: Value;
    try {
      v = s.compare === false ? { kind: "none" } : encode(r.value);
    } catch (e) {
      v = { kind: "error", message: `reading the result: ${(e as Error).message}` };
    }
    this.results.push(v);
    return r.value;
  }

  /** The tensors in scope (not disposed), newest first. */
  tensors(): TensorInfo[] {
    const out: TensorInfo[] = [];
    for (const [name, v] of this.scope)
      if (v instanceof tt.Tensor && !v.isDisposed)
        out.push({ name, dtype: v.dtype, shape: v.shape, requiresGrad: v.requiresGrad, isLeaf: v.isLeaf });
    return out.reverse();
  }

  info(name: string): TensorInfo | undefined {
    return this.tensors().find((t) => t.name === name);
  }

  program(family: string, seed: number): Program {
    return { family, seed, steps: [...this.steps] };
  }
}

/** Runs a whole program in @tessera/tensor (for replays and shrinking), freeing what it made. */
export function runTessera(p: Program): Value[] {
  return tt.tidy(() => {
    const b = new Builder();
    for (const s of p.steps) b.add(s);
    return b.results;
  });
}
