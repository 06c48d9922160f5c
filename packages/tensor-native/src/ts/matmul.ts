/** matmul with PyTorch's vector, matrix and broadcast-batch cases. */
import { backend } from "./dispatch.js";
import { isHalf, type DType } from "./dtype.js";
import { broadcastShapes, broadcastView, squeeze, unsqueeze } from "./shape.js";
import { castOwned, emptyTensor, fmtShape, Tensor } from "./tensor.js";

/**
 * Matrix product. 1-D operands are treated as a row (left) or column (right) vector and
 * that dimension is removed from the result; leading dims broadcast as batch dims.
 *
 * @example
 * tt.randn([8, 64, 32]).matmul(tt.randn([32, 16])).shape; // [8, 64, 16]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  a.check("matmul");
  b.check("matmul");
  if (a.ndim === 0 || b.ndim === 0)
    throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const k1 = a.shape[a.ndim - 1],
    k2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (k1 !== k2) throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${k1} ≠ ${k2})`);
  // PyTorch does not promote here ("expected scalar type Float but found Double").
  if (a.dtype !== b.dtype)
    throw new TypeError(
      `matmul: both operands must have the same dtype, got ${a.dtype} and ${b.dtype}; cast one first, e.g. b.to("${a.dtype}")`,
    );
  const dt = a.dtype;
  if (dt === "bool") throw new TypeError("matmul: bool tensors are not supported; cast to an integer or float dtype");
  // Half types widen to float32 unless the device multiplies them natively (cuBLAS).
  const cdt: DType = isHalf(dt) && !backend(a.device).matmulKeeps?.(dt) ? "float32" : dt;
  const temps: Tensor[] = [];
  const prep = (t: Tensor): Tensor => {
    if (t.dtype === cdt) return t;
    const c = t.to(cdt);
    temps.push(c);
    return c;
  };
  try {
    let ta = prep(a),
      tb = prep(b);
    if (ta.ndim === 1) temps.push((ta = unsqueeze(ta, 0)));
    if (tb.ndim === 1) temps.push((tb = unsqueeze(tb, -1)));
    const M = ta.shape[ta.ndim - 2],
      N = tb.shape[tb.ndim - 1],
      K = k1;
    const batch = broadcastShapes("matmul", ta.shape.slice(0, -2), tb.shape.slice(0, -2));
    const ea = broadcastView(ta, [...batch, M, K], "matmul"),
      eb = broadcastView(tb, [...batch, K, N], "matmul");
    let out = emptyTensor([...batch, M, N], cdt, a.device);
    try {
      if (out.numel() > 0) backend(a.device).matmul(ea, eb, out);
    } catch (e) {
      out.dispose();
      throw e;
    }
    if (a.ndim === 1) {
      const full = out;
      out = squeeze(full, -2);
      full.dispose();
    }
    if (b.ndim === 1) {
      const full = out;
      out = squeeze(full, -1);
      full.dispose();
    }
    return castOwned(out, dt);
  } finally {
    for (const t of temps) t.dispose();
  }
}
