/**
 * Tensor's elementwise methods and their free functions, all made from the op tables
 * (unary-table.ts, binary-table.ts). For each record: the method's op, its autograd rule
 * (the grad layer) and its float32 run under autocast (see method-layers.ts); `tt.<name>`;
 * and the method's type, with the record's doc, through the interfaces below.
 */
import { autocastDType, fullPrecision } from "../autograd/autocast.js";
import { sumTo } from "../autograd/grad-utils.js";
import { record, untracked } from "../autograd/record.js";
import { isFloating, type DType } from "../dtype.js";
import { binaryOp, runUnary, type TensorLike } from "../elementwise.js";
import { defineOps, wrapMethod } from "../method-layers.js";
import { Tensor } from "../tensor.js";
import { BINARY, type BinaryCtx, type BinaryName, type BinaryRecord, type Saved } from "./binary-table.js";
import { UNARY, type UnaryName, type UnaryRecord } from "./unary-table.js";

// Mapped over `keyof typeof` the tables (not an alias of it), so each method keeps its
// record's JSDoc: that is what editors show for `x.exp()`.
type UnaryMethods = { [K in keyof typeof UNARY]: () => Tensor };
type BinaryMethods = { [K in keyof typeof BINARY]: (other: TensorLike) => Tensor };

declare module "../tensor.js" {
  interface Tensor extends UnaryMethods, BinaryMethods {}
}

const unaryRecords = Object.entries(UNARY) as [UnaryName, UnaryRecord][];
const binaryRecords = Object.entries(BINARY) as [BinaryName, BinaryRecord][];

/** Unary op `name` on x, with its record's dtype rules. */
export function unaryOp(name: UnaryName, x: Tensor): Tensor {
  const r: UnaryRecord = UNARY[name];
  x.check(name);
  let dt: DType = x.dtype;
  if (r.ints === "refuse" && !isFloating(dt))
    throw new TypeError(`${name}: needs a floating point input, got ${dt} (as in PyTorch); cast first, e.g. x.float().${name}()`);
  if (r.ints === "promote" && !isFloating(dt)) dt = "float32";
  if (dt === "bool" && r.noBool) throw new TypeError(r.noBool);
  return runUnary(r.code, x, dt, r.result ?? dt);
}

const label = (name: string): string => `${name[0].toUpperCase()}${name.slice(1)}Backward`;

/** The autocast layer of an op on PyTorch's fp32 list: inside tt.autocast, `this` goes to float32 first. */
function inFloat32<F extends (this: Tensor, ...args: any[]) => Tensor>(inner: F): F {
  return function (this: Tensor, ...args: unknown[]): Tensor {
    return autocastDType() ? inner.apply(fullPrecision(this), args) : inner.apply(this, args);
  } as F;
}

for (const [name, r] of unaryRecords) {
  defineOps({
    [name]: function (this: Tensor) {
      return unaryOp(name, this);
    },
  });
  const { backward, saves = "none" } = r;
  if (backward) {
    wrapMethod(
      "grad",
      name,
      (raw) =>
        function (this: Tensor): Tensor {
          const out = untracked(() => raw.call(this));
          const saved = saves === "x" ? [this] : saves === "y" ? [out] : [];
          return record(label(name), out, [this], saved, (g, [t]) => [backward(g, t)]);
        },
    );
  }
  if (r.autocastFp32) wrapMethod("autocast", name, inFloat32);
}

const asT = (x: TensorLike): Tensor | null => (x instanceof Tensor ? x : null);
const shapeOf = (x: TensorLike): readonly number[] => (x instanceof Tensor ? x.shape : []);

/** The grad layer of a binary op: keeps what `saves` names, and sums each gradient back to its input's shape. */
function binaryGrad(name: BinaryName, r: Required<Pick<BinaryRecord, "saves" | "backward">>) {
  return (raw: (other: TensorLike) => Tensor) =>
    function (this: Tensor, other: TensorLike): Tensor {
      const out = untracked(() => raw.call(this, other));
      const b = asT(other);
      const needA = this.requiresGrad,
        needB = b?.requiresGrad ?? false;
      const parts = [...new Set(r.saves(needA, needB))].filter((p) => p !== "b" || b);
      const tensors = parts.map((p) => (p === "a" ? this : p === "b" ? b! : out));
      return record(label(name), out, [this, other], tensors, (g, s) => {
        const at = (p: Saved): Tensor => s[parts.indexOf(p)];
        const c: BinaryCtx = {
          get a() {
            return at("a");
          },
          get b() {
            return b ? at("b") : other;
          },
          get out() {
            return at("out");
          },
          needA,
          needB: needB && b !== null,
        };
        const [ga, gb] = r.backward(g, c);
        return [needA && ga ? sumTo(ga, this.shape) : null, c.needB && gb ? sumTo(gb, shapeOf(other)) : null];
      });
    };
}

for (const [name, r] of binaryRecords) {
  defineOps({
    [name]: function (this: Tensor, other: TensorLike) {
      return binaryOp(r.code, this, other);
    },
  });
  const { saves, backward } = r;
  if (saves && backward) wrapMethod("grad", name, binaryGrad(name, { saves, backward }));
  if (r.autocastFp32) wrapMethod("autocast", name, inFloat32);
}

/** The free functions of the unary ops: `tt.exp(x)` is `x.exp()`. */
export const unaryFunctions = Object.fromEntries(unaryRecords.map(([name]) => [name, (x: Tensor): Tensor => x[name]()])) as {
  [K in UnaryName]: (x: Tensor) => Tensor;
};

/** The free functions of the binary ops: `tt.add(a, b)` is `a.add(b)`. */
export const binaryFunctions = Object.fromEntries(
  binaryRecords.map(([name]) => [name, (a: Tensor, b: TensorLike): Tensor => a[name](b)]),
) as {
  [K in BinaryName]: (a: Tensor, b: TensorLike) => Tensor;
};
