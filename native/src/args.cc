#include "args.hh"

#include <climits>
#include <cmath>

#include "errors.hh"

namespace xnative {

namespace {

std::string Describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true (boolean)" : "false (boolean)";
    case napi_number: return value.ToString().Utf8Value() + " (number)";
    case napi_string: return "'" + value.As<Napi::String>().Utf8Value() + "' (string)";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return value.IsArray() ? "an array" : "an object";
  }
}

}  // namespace

void Reject(const Napi::Value& value, const std::string& name, const std::string& expected) {
  throw InvalidArg(value.Env(), "Expected `" + name + "` to be " + expected + ", got " + Describe(value) + ".");
}

int64_t IntegerValue(const Napi::Value& value, const std::string& name, int64_t min, int64_t max) {
  if (value.IsNumber()) {
    double number = value.As<Napi::Number>().DoubleValue();
    if (std::isfinite(number) && std::trunc(number) == number && number >= static_cast<double>(min) &&
        number <= static_cast<double>(max)) {
      return static_cast<int64_t>(number);
    }
  }
  Reject(value, name, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
}

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, int min, int max) {
  return static_cast<int>(IntegerValue(info[index], name, min, max));
}

int FdValue(const Napi::Value& value, const std::string& name) {
  if (value.IsNumber()) {
    double number = value.As<Napi::Number>().DoubleValue();
    if (std::trunc(number) == number && number >= 0 && number <= INT_MAX) return static_cast<int>(number);
  }
  Reject(value, name, "a file descriptor (an integer from 0 to " + std::to_string(INT_MAX) + ")");
}

int FdArg(const Napi::CallbackInfo& info, size_t index, const char* name) { return FdValue(info[index], name); }

size_t ChoiceValue(const Napi::Value& value, const std::string& name, const std::vector<const char*>& choices) {
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    for (size_t i = 0; i < choices.size(); ++i) {
      if (text == choices[i]) return i;
    }
  }
  std::string expected = "one of ";
  for (size_t i = 0; i < choices.size(); ++i) {
    expected += (i ? ", '" : "'") + std::string(choices[i]) + "'";
  }
  Reject(value, name, expected);
}

size_t ChoiceArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                 const std::vector<const char*>& choices) {
  return ChoiceValue(info[index], name, choices);
}

bool BoolValue(const Napi::Value& value, const std::string& name, bool fallback) {
  if (value.IsUndefined()) return fallback;
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value();
  Reject(value, name, "a boolean");
}

std::string StringValue(const Napi::Value& value, const std::string& name) {
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    if (text.find('\0') == std::string::npos) return text;
  }
  Reject(value, name, "a string without NUL characters");
}

std::vector<int> IntArrayValue(const Napi::Value& value, const std::string& name, int min, int max) {
  if (!value.IsArray()) Reject(value, name, "an array of integers");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<int> result;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    result.push_back(static_cast<int>(IntegerValue(array.Get(i), name + "[" + std::to_string(i) + "]", min, max)));
  }
  return result;
}

std::vector<std::string> StringArrayValue(const Napi::Value& value, const std::string& name) {
  if (!value.IsArray()) Reject(value, name, "an array of strings");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<std::string> result;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    result.push_back(StringValue(array.Get(i), name + "[" + std::to_string(i) + "]"));
  }
  return result;
}

Napi::Function FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsFunction()) Reject(info[index], name, "a function");
  return info[index].As<Napi::Function>();
}

Napi::Object OptionsArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info[index].IsUndefined()) return Napi::Object::New(info.Env());
  if (!info[index].IsObject() || info[index].IsArray() || info[index].IsFunction()) {
    Reject(info[index], name, "an options object");
  }
  return info[index].As<Napi::Object>();
}

}  // namespace xnative
