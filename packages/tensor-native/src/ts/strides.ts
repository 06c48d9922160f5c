/**
 * Row-major geometry of shapes and strided views, in elements. A leaf module (it imports
 * nothing), so the tensor class, the CUDA backend and printing share one copy.
 */

/** The strides of a row-major (C-contiguous) layout of `shape`. @example contiguousStrides([2, 3]) // [3, 1] */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Whether a view's elements are laid out row-major without gaps (size-1 dims may have any stride). */
export function isContiguousView(v: { readonly shape: readonly number[]; readonly strides: readonly number[] }): boolean {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expect) return false;
    expect *= v.shape[i];
  }
  return true;
}

/** The number of elements of a shape (1 for []). @example numelOf([2, 3]) // 6 */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
