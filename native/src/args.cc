#include "args.hh"

#include <cmath>

#include "errors.hh"

namespace xnative {

namespace {

std::string Describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true (boolean)" : "false (boolean)";
    case napi_number: return std::to_string(value.As<Napi::Number>().DoubleValue()) + " (number)";
    case napi_string: return "'" + value.As<Napi::String>().Utf8Value() + "' (string)";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an object";
  }
}

}  // namespace

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, int min, int max) {
  Napi::Value value = info[index];
  if (value.IsNumber()) {
    double number = value.As<Napi::Number>().DoubleValue();
    if (std::isfinite(number) && std::trunc(number) == number && number >= min && number <= max) {
      return static_cast<int>(number);
    }
  }
  throw InvalidArg(info.Env(), std::string("Expected `") + name + "` to be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", got " +
                                   Describe(value) + ".");
}

size_t ChoiceArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                 const std::vector<const char*>& choices) {
  Napi::Value value = info[index];
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    for (size_t i = 0; i < choices.size(); ++i) {
      if (text == choices[i]) return i;
    }
  }
  std::string expected;
  for (size_t i = 0; i < choices.size(); ++i) {
    expected += (i ? ", '" : "'") + std::string(choices[i]) + "'";
  }
  throw InvalidArg(info.Env(), std::string("Expected `") + name + "` to be one of " + expected + ", got " +
                                   Describe(value) + ".");
}

}  // namespace xnative
