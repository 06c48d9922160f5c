/** The autograd methods of Tensor: backward, detach, hooks. */
import { defineOps } from "../method-layers.js";
import { addLeafHook, runBackward, type BackwardOptions } from "./engine.js";
import type { GradHook } from "./node.js";

/** Returned by registerHook(); remove() unregisters the hook. */
export interface HookHandle {
  remove(): void;
}

declare module "../tensor.js" {
  interface Tensor {
    /**
     * Computes the gradient of this tensor with respect to every leaf that requires
     * grad, adding it to their `.grad`. A one-element result needs no `gradient`.
     *
     * @example
     * const w = tt.randn([3], { requiresGrad: true });
     * w.mul(w).sum().backward();
     * w.grad; // 2 * w
     */
    backward(gradient?: Tensor, options?: BackwardOptions): void;
    /** A view of the same data that is cut from the graph (requiresGrad false). @example y.detach() */
    detach(): Tensor;
    /** Sets requiresGrad in place and returns this tensor. @example tt.zeros([3]).requiresGrad_() */
    requiresGrad_(flag?: boolean): Tensor;
    /** Also keep `.grad` for this non-leaf tensor during backward(). @example h.retainGrad() */
    retainGrad(): Tensor;
    /**
     * Calls `hook(grad)` when this tensor's gradient is computed; it may return a
     * replacement gradient.
     *
     * @example
     * const h = x.registerHook((g) => g.clamp(-1, 1)); h.remove();
     */
    registerHook(hook: GradHook): HookHandle;
  }
}

defineOps({
  backward(gradient, options) {
    runBackward(this, gradient, options);
  },
  detach() {
    this.check("detach");
    return this.view_(this.shape, this.strides, this.offset);
  },
  requiresGrad_(flag = true) {
    this.requiresGrad = flag;
    return this;
  },
  retainGrad() {
    if (!this.requiresGrad) throw new Error("retainGrad: this tensor does not require grad");
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  },
  registerHook(hook) {
    if (!this.requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that does not require grad");
    const list = this.gradFn ? this.gradFn.hooks : addLeafHook(this, hook);
    if (this.gradFn) list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  },
});
