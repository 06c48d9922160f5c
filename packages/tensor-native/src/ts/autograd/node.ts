/**
 * One recorded op in the autograd graph: where its inputs' gradients go (edges), the
 * tensors its backward formula needs (saved), and the formula itself.
 */
import { isHalf, type DType } from "../dtype.js";
import { withoutScopes } from "../memory.js";
import type { Tensor } from "../tensor.js";

/** Where one input's gradient flows: into another node, or into a leaf's `.grad`. */
export type Edge =
  | { kind: "node"; node: GradNode; shape: readonly number[]; dtype: DType }
  | { kind: "leaf"; tensor: Tensor; shape: readonly number[]; dtype: DType };

/** Gradients for each input (null where an input needs none). */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[]) => readonly (Tensor | null | undefined)[];

/** A gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** Backward formulas that are one GEMM per input: they already round once, in their own dtype. */
const ROUNDS_ONCE = new Set(["MatmulBackward", "Conv2dBackward"]);

const widen = (t: Tensor): Tensor => (isHalf(t.dtype) ? t.to("float32") : t);

interface Saved {
  view: Tensor;
  version: number;
}

export class GradNode {
  /** Hooks registered on the tensor this node made (run on its incoming gradient). */
  readonly hooks: GradHook[] = [];
  /** Set by retainGrad(): the non-leaf tensor whose `.grad` is filled in. */
  retained: Tensor | null = null;
  private saved: Saved[] | null;

  constructor(
    readonly name: string,
    readonly next: readonly (Edge | null)[],
    saved: readonly Tensor[],
    private readonly fn: BackwardFn,
  ) {
    // Saved tensors are views of their own, outside any tidy() scope: the caller may
    // dispose the originals (or leave the tidy) and backward() still has the data.
    this.saved = withoutScopes(() =>
      saved.map((t) => {
        t.storage.savedViews++;
        return { view: t.view_(t.shape, t.strides, t.offset), version: t.storage.version };
      }),
    );
  }

  /** Runs the backward formula for an incoming gradient. */
  apply(grad: Tensor): readonly (Tensor | null | undefined)[] {
    if (this.saved === null)
      throw new Error(
        `backward: trying to go through the graph a second time (${this.name}'s saved tensors were freed after the first backward); pass { retainGraph: true } to the first backward() if you need to`,
      );
    for (const s of this.saved)
      if (s.view.storage.version !== s.version)
        throw new Error(
          `backward: a tensor of shape [${s.view.shape.join(",")}] that ${this.name} needs was modified by an in-place operation after it was used; clone() it before modifying it`,
        );
    const saved = this.saved.map((s) => s.view);
    // A formula of several ops in float16/bfloat16 rounds after each one (softmax's backward
    // lost 14% that way); compute it in float32 and round once, as PyTorch's fused kernels do.
    // The engine casts each result back to its input's dtype.
    if (isHalf(grad.dtype) && !ROUNDS_ONCE.has(this.name)) return this.fn(grad.to("float32"), saved.map(widen));
    return this.fn(grad, saved);
  }

  /** Frees the saved tensors (after a backward() without retainGraph). */
  release(): void {
    if (this.saved)
      for (const s of this.saved) {
        s.view.storage.savedViews--;
        s.view.dispose();
      }
    // A node that saved nothing can run again, as in PyTorch (only freed tensors stop it).
    if (this.saved?.length) this.saved = null;
  }
}
