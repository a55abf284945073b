// Argument checks for binding.cc: each names the argument, what was expected and
// what was given, and throws a TypeError with code ERR_X_INVALID_ARG.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace xnative {

// An integer argument in [min, max].
int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, int min, int max);

// A string argument that must be one of `choices`; returns its index in `choices`.
size_t ChoiceArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                 const std::vector<const char*>& choices);

}  // namespace xnative
