// Argument checks for binding.cc: each names the argument, what was expected and
// what was given, and throws a TypeError with code ERR_X_INVALID_ARG.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xnative {

// An integer in [min, max] (a JS number with no fraction).
int64_t IntegerValue(const Napi::Value& value, const std::string& name, int64_t min, int64_t max);
int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, int min, int max);

// A file descriptor: an integer from 0 to INT_MAX.
int FdValue(const Napi::Value& value, const std::string& name);
int FdArg(const Napi::CallbackInfo& info, size_t index, const char* name);

// A string that must be one of `choices`; returns its index in `choices`.
size_t ChoiceValue(const Napi::Value& value, const std::string& name, const std::vector<const char*>& choices);
size_t ChoiceArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                 const std::vector<const char*>& choices);

// A boolean, or `fallback` when the value is undefined.
bool BoolValue(const Napi::Value& value, const std::string& name, bool fallback);

// A string with no NUL character (it becomes a C string).
std::string StringValue(const Napi::Value& value, const std::string& name);

// An array whose elements are integers in [min, max].
std::vector<int> IntArrayValue(const Napi::Value& value, const std::string& name, int min, int max);

// An array of strings with no NUL character.
std::vector<std::string> StringArrayValue(const Napi::Value& value, const std::string& name);

// A function.
Napi::Function FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* name);

// An object, or an empty one when the value is undefined (an options bag).
Napi::Object OptionsArg(const Napi::CallbackInfo& info, size_t index, const char* name);

// Throws ERR_X_INVALID_ARG: "Expected `name` to be <expected>, got <value>."
[[noreturn]] void Reject(const Napi::Value& value, const std::string& name, const std::string& expected);

}  // namespace xnative
