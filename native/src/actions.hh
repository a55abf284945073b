// Signal actions saved and put back: the one mechanism for both things in this addon that
// save one. captureDisposition() saves an action to give it back later (Node's own, after
// libuv's handler came and went), and the interrupt word's handler is layered over the
// action it replaces, which it chains to. Kept apart, each put back what it had seen, so
// the later restore undid the earlier one: a capture taken while the layer was installed,
// restored after the layer was removed, installed the layer again with nothing counting.
// Here a saved action is always the one *beneath* the layer, and an action restored while
// the layer is installed goes beneath it; so any order of restores ends with the action
// from before either was installed.
#pragma once

namespace xnative {

// What the layer does before the action beneath it: async-signal-safe, and it must keep errno.
using Observer = void (*)(int sig);

// Installs the layer for `sig` over its current action, unless it is there already: the layer
// calls `observe` (one observer for the process), then does what the action beneath would have.
void InstallLayer(int sig, Observer observe);

// Puts back the action beneath the layer, when the layer is installed for `sig`.
void RemoveLayer(int sig);

// Remembers the action of `sig` (handler, flags, mask) beneath the layer, or the current one
// when the layer is not installed, replacing what an earlier call remembered.
void CaptureDisposition(int sig);

// Puts back the action CaptureDisposition remembered, and forgets it; does nothing when none
// is remembered. With the layer installed, the action goes beneath it.
void RestoreDisposition(int sig);

}  // namespace xnative
