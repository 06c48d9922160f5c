/** Switches as in torch.backends. */

/**
 * PyTorch's `torch.backends.cuda.matmul.allow_tf32`: with allowTf32 true, float32 matmuls on
 * CUDA (and so Linear and conv2d) may use TF32 tensor cores, ~10 bits of mantissa in the
 * products. False by default, as in PyTorch since 1.12.
 *
 * @example
 * tt.backends.cuda.matmul.allowTf32 = true;
 */
export const backends = {
  cuda: {
    matmul: { allowTf32: false },
  },
};
