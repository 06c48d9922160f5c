// The kernel names the launch code (src/native/cuda/ops_*.cpp) builds, per kernel file:
// the compile tests check that each cubin defines all of them.
const COMPUTE = ["f32", "f64", "i32", "i64", "u8"];
const ALL = ["f32", "f64", "f16", "bf16", "i32", "i64", "u8", "b8"];
const SIZES = ["1", "2", "4", "8"];
const each = (prefix: string, sfx: string[]): string[] => sfx.map((s) => `${prefix}${s}`);

export const KERNEL_NAMES: Record<string, string[]> = {
  "elementwise.cu": [
    ...each("tt_unary_", COMPUTE),
    ...each("tt_binary_", COMPUTE),
    ...each("tt_where_", SIZES),
    ...each("tt_fill_", SIZES),
  ],
  "copy.cu": ALL.flatMap((s) => each(`tt_copy_${s}_`, ALL)),
  "reduce.cu": [
    ...["f32_f32", "f32_i64", "f32_f64", "f64_f64", "f64_i64", "i32_i32", "i32_i64", "i64_i64", "u8_u8", "u8_i64"].map(
      (p) => `tt_reduce_${p}`,
    ),
    "tt_softmax_f32",
    "tt_softmax_f64",
  ],
  "random.cu": each("tt_random_", ALL),
  "index.cu": [...each("tt_index_select_", SIZES), ...each("tt_gather_", SIZES), ...each("tt_scatter_add_", COMPUTE)],
  "window.cu": ["tt_im2col_", "tt_pool2d_", "tt_col2im_", "tt_pool2d_backward_"].flatMap((p) => each(p, COMPUTE)),
  "optim.cu": ["tt_sgd_f32", "tt_sgd_f64", "tt_adam_f32", "tt_adam_f64"],
  "matmul_int.cu": ["tt_matmul_i32", "tt_matmul_i64", "tt_matmul_u8"],
};

/** The kernel names a cubin or PTX image lacks. */
export function missingKernels(file: string, image: Uint8Array): string[] {
  const text = Buffer.from(image).toString("latin1");
  return KERNEL_NAMES[file].filter((name) => !text.includes(`${name}\0`) && !text.includes(`.entry ${name}(`));
}
