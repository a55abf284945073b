// Memory maps of files, handed to JS as external ArrayBuffers. Each mapping is
// registered, so msync/madvise act only on memory this addon mapped.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xnative {

enum class Protection { Read, ReadWrite };
enum class Advice { Normal, Random, Sequential, WillNeed, DontNeed, PopulateRead };

struct Mapping {
  void* base;         // page-aligned, as mmap returned it
  size_t baseLength;  // what munmap needs
  uint8_t* data;      // the first byte asked for (base + offset % page size)
  size_t length;      // the bytes asked for
};

// Maps `length` bytes of `fd` from `offset` (any offset: the page alignment mmap
// needs is handled here); fd -1 maps anonymous memory. A range past the end of a
// regular file is refused with EINVAL, since touching it would raise SIGBUS.
Mapping* Map(int fd, int64_t offset, size_t length, Protection protection, bool shared);

// Unmaps and forgets a mapping (the ArrayBuffer's finalizer).
void Unmap(Mapping* mapping);

// The registered mapping whose data starts at `data`, or nullptr.
Mapping* FindMapping(const void* data);

void Sync(Mapping* mapping, bool async);
void Advise(Mapping* mapping, Advice advice);

}  // namespace xnative
