// The plain JS arguments of an entry point: how many there are and what each must be.
// N-API's As<T>() casts without looking, so each reader checks the type first, and every
// number goes through numbers.h, so a wrong argument is a JS error naming the entry point.
#pragma once
#include <napi.h>

#include <string>

#include "numbers.h"

namespace tt::napi {

class Args {
 public:
  // Between min_count and max_count arguments (max_count < 0: exactly min_count).
  Args(const Napi::CallbackInfo& info, const char* entry, int min_count, int max_count = -1) : info_(info), entry_(entry) {
    if (max_count < 0) max_count = min_count;
    const int n = (int)info.Length();
    if (n >= min_count && n <= max_count) return;
    std::string want = std::to_string(max_count);
    if (min_count == 0 && max_count > 0) want = "at most " + want;
    else if (min_count < max_count) want = std::to_string(min_count) + " to " + want;
    throw Error(std::string(entry) + ": expected " + want + (max_count == 1 ? " argument" : " arguments") + ", got " + std::to_string(n));
  }

  const char* entry() const { return entry_; }
  Napi::Value operator[](size_t i) const { return info_[i]; }
  bool nullish(size_t i) const { return info_[i].IsUndefined() || info_[i].IsNull(); }

  double number(size_t i, const char* what) const {
    if (!info_[i].IsNumber()) throw bad(i, what, "a number");
    return info_[i].As<Napi::Number>().DoubleValue();
  }
  int64_t integer(size_t i, int64_t lo, int64_t hi, const char* what) const { return to_integer(number(i, what), lo, hi, entry_, what); }
  // A byte count or byte offset.
  int64_t size(size_t i, const char* what) const { return integer(i, 0, kMaxExact, what); }
  // An op code or kind in [0, count).
  int code(size_t i, int count, const char* what) const { return to_code(number(i, what), count, entry_, what); }
  int device_index(size_t i) const { return (int)integer(i, 0, INT32_MAX, "device index"); }
  bool boolean(size_t i, const char* what) const {
    if (!info_[i].IsBoolean()) throw bad(i, what, "a boolean");
    return info_[i].As<Napi::Boolean>().Value();
  }
  std::string string(size_t i, const char* what) const {
    if (!info_[i].IsString()) throw bad(i, what, "a string");
    return info_[i].As<Napi::String>().Utf8Value();
  }
  Napi::Array array(size_t i, const char* what) const {
    if (!info_[i].IsArray()) throw bad(i, what, "an array");
    return info_[i].As<Napi::Array>();
  }
  // A typed array's bytes, wherever its buffer lives (a SharedArrayBuffer too).
  struct Bytes {
    char* data;
    size_t len;
  };
  Bytes bytes(size_t i, const char* what) const {
    static const uint8_t element_size[] = {1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8};  // by napi_typedarray_type
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (!info_[i].IsTypedArray() || napi_get_typedarray_info(info_.Env(), info_[i], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        (size_t)type >= sizeof element_size)
      throw bad(i, what, "a typed array");
    return {static_cast<char*>(data), length * element_size[type]};
  }
  Napi::Int32Array int32_array(size_t i, const char* what) const {
    if (!info_[i].IsTypedArray() || info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw bad(i, what, "an Int32Array");
    return info_[i].As<Napi::Int32Array>();
  }

  Error bad(size_t i, const char* what, const char* expected) const {
    return Error(std::string(entry_) + ": argument " + std::to_string(i + 1) + " (" + what + ") must be " + expected + ", got " +
                 type_name(info_[i]));
  }

 private:
  static std::string typed_array_name(napi_typedarray_type t) {
    static const char* const names[] = {"an Int8Array",   "a Uint8Array",    "a Uint8ClampedArray", "an Int16Array",
                                        "a Uint16Array",  "an Int32Array",   "a Uint32Array",       "a Float32Array",
                                        "a Float64Array", "a BigInt64Array", "a BigUint64Array"};
    return (size_t)t < sizeof names / sizeof *names ? names[t] : "a typed array";
  }
  static std::string type_name(const Napi::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsNumber()) return "the number " + show(v.As<Napi::Number>().DoubleValue());
    if (v.IsTypedArray()) return typed_array_name(v.As<Napi::TypedArray>().TypedArrayType());
    if (v.IsArray()) return "an array";
    if (v.IsExternal()) return "a storage handle";
    switch (v.Type()) {
      case napi_undefined: return "undefined";
      case napi_boolean: return "a boolean";
      case napi_string: return "a string";
      case napi_function: return "a function";
      case napi_bigint: return "a bigint";
      case napi_symbol: return "a symbol";
      default: return "an object";
    }
  }

  const Napi::CallbackInfo& info_;
  const char* entry_;
};

}  // namespace tt::napi
