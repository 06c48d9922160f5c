// Tensor methods are assembled from an op and its layers in one place (src/ts/method-layers.ts),
// whatever order the modules that hand in the parts load in.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { defineOps, opOf, wrapMethod, wrappedWithoutOp, type MethodName } from "../src/ts/method-layers.ts";

// Probe methods no module defines; the casts stand in for a Tensor interface entry.
const name = (s: string): MethodName => s as MethodName;
const P = tt.Tensor.prototype as unknown as Record<string, () => string>;
type Loose = (inner: unknown) => unknown;
const wrap = (layer: "grad" | "autocast", method: string, tag: string): void =>
  wrapMethod(
    layer,
    name(method),
    ((inner: () => string) =>
      function (this: tt.Tensor) {
        return `${tag}(${inner.call(this)})`;
      }) as Loose as never,
  );

test("a method is op, then grad, then autocast, in whatever order the parts arrive", () => {
  wrap("autocast", "probeA", "autocast");
  assert.deepEqual(wrappedWithoutOp().includes("probeA"), true); // waiting for its op
  wrap("grad", "probeA", "grad");
  defineOps({
    [name("probeA")]: function () {
      return "op";
    },
  } as never);
  assert.equal(P.probeA.call(tt.zeros([1])), "autocast(grad(op))");
  assert.equal((opOf(name("probeA")) as unknown as () => string).call(tt.zeros([1])), "op");

  defineOps({
    [name("probeB")]: function () {
      return "op";
    },
  } as never);
  wrap("grad", "probeB", "grad");
  wrap("autocast", "probeB", "autocast");
  assert.equal(P.probeB.call(tt.zeros([1])), "autocast(grad(op))");
  assert.equal(wrappedWithoutOp().includes("probeA") || wrappedWithoutOp().includes("probeB"), false);
});

test("a second op or a second wrapper of one layer for the same method is refused", () => {
  assert.throws(
    () =>
      defineOps({
        [name("probeB")]: function () {
          return "again";
        },
      } as never),
    /probeB: defined twice/,
  );
  assert.throws(
    () =>
      defineOps({
        exp() {
          return this;
        },
      }),
    /exp: defined twice/,
  );
  assert.throws(() => wrap("grad", "probeB", "again"), /probeB: two grad wrappers/);
});

test("a method the class defines is its own op (to() gets its autograd layer)", () => {
  const x = tt.tensor([1, 2], { dtype: "float32", requiresGrad: true });
  assert.equal(x.to("float64").gradFn?.name, "ToBackward");
  assert.equal(opOf("to").call(x, "float64").gradFn, null);
});
