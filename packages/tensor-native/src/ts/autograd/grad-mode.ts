/** Whether ops are being recorded for backward(): on, unless inside noGrad(). */

let disabled = 0;

/** True when new ops are recorded for autograd. */
export function isGradEnabled(): boolean {
  return disabled === 0;
}

function scoped<T>(delta: 1 | -1, fn: () => T): T {
  disabled += delta;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    disabled -= delta;
    throw e;
  }
  if (result instanceof Promise)
    return result.finally(() => {
      disabled -= delta;
    }) as T;
  disabled -= delta;
  return result;
}

/**
 * Runs `fn` without recording ops for autograd (as `torch.no_grad()`): for evaluation and
 * for updating weights by hand. An async `fn` keeps recording off until it settles.
 *
 * @example
 * const logits = tt.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  return scoped(1, fn);
}

/**
 * Turns recording back on inside a noGrad() block (as `torch.enable_grad()`).
 *
 * @example
 * tt.noGrad(() => tt.enableGrad(() => w.mul(2)));
 */
export function enableGrad<T>(fn: () => T): T {
  const off = disabled;
  disabled = 0;
  try {
    return fn();
  } finally {
    disabled = off;
  }
}
