// im2col, pooling and their adjoints on the device.
#include <string>

#include "device_ops.h"

namespace tt::cuda {
namespace {

TTWindowArgs window_args(int kind, const View& img, const Conv2dGeom& g) {
  TTWindowArgs a{};
  a.N = img.shape[0];
  a.C = img.shape[1];
  a.H = img.shape[2];
  a.W = img.shape[3];
  a.kh = g.kh;
  a.kw = g.kw;
  a.sh = g.sh;
  a.sw = g.sw;
  a.ph = g.ph;
  a.pw = g.pw;
  a.dh = g.dh;
  a.dw = g.dw;
  a.oh = g.oh;
  a.ow = g.ow;
  a.kind = kind;
  return a;
}

}  // namespace

void op_window(Device& d, int kind, const View& x, const View& out, const Conv2dGeom& g) {
  TTWindowArgs a = window_args(kind, x, g);
  a.a = device_address(x);
  a.out = device_address(out);
  a.count = out.numel();
  const std::string kernel = std::string(kind == WINDOW_IM2COL ? "tt_im2col_" : "tt_pool2d_") + compute_suffix(x.dtype, "window2d");
  if (a.count) d.launch(d.function("window.cu", kernel.c_str()), (uint64_t)a.count, &a);
}

void op_window_backward(Device& d, int kind, const View& a_view, const View& b_view, const View& out, const Conv2dGeom& g) {
  TTWindowArgs a = window_args(kind, out, g);
  a.a = device_address(a_view);
  a.b = device_address(b_view);
  a.out = device_address(out);
  a.count = out.numel();
  const std::string kernel =
      std::string(kind == WINDOW_BACKWARD_COL2IM ? "tt_col2im_" : "tt_pool2d_backward_") + compute_suffix(out.dtype, "window2dBackward");
  if (a.count) d.launch(d.function("window.cu", kernel.c_str()), (uint64_t)a.count, &a);
}

}  // namespace tt::cuda
