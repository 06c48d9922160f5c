// How every N-API entry point of both addons is written and exported. The body runs inside
// guarded(): a C++ exception (ours, or a Napi::Error from a failed N-API call) becomes a JS
// Error, so nothing thrown in native code unwinds into V8.
//
//   ENTRY(Fill)
//     const Args a(info, "fill", 1);
//     ...
//     return info.Env().Undefined();
//   END
#pragma once
#include <napi.h>

#include <exception>

namespace tt::napi {

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;  // already a JS error (it may carry an exception JavaScript threw)
  } catch (const std::exception& e) { throw Napi::Error::New(info.Env(), e.what()); } catch (...) {
    throw Napi::Error::New(info.Env(), "internal error: unknown C++ exception");
  }
}

using EntryFn = Napi::Value (*)(const Napi::CallbackInfo&);

struct Export {
  const char* name;
  EntryFn fn;
};

template <size_t N>
void export_functions(Napi::Env env, Napi::Object target, const Export (&fns)[N]) {
  for (const Export& e : fns) target.Set(e.name, Napi::Function::New(env, e.fn, e.name));
}

}  // namespace tt::napi

#define ENTRY(name) \
  Napi::Value name(const Napi::CallbackInfo& info) { return ::tt::napi::guarded(info, [&]() -> Napi::Value {
#define END \
  });       \
  }
