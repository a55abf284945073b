#include "mmap.hh"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "errors.hh"

namespace xnative {

namespace {

// Mappings may be finalized on any thread that drops the last reference.
std::mutex registryLock;
std::map<const void*, Mapping*> registry;

}  // namespace

Mapping* Map(int fd, int64_t offset, size_t length, Protection protection, bool shared) {
  if (length == 0) ThrowError(EINVAL, "mmap");
  if (fd >= 0) {
    struct stat info;
    if (fstat(fd, &info) != 0) ThrowErrno("fstat");
    if (S_ISREG(info.st_mode) && (offset > info.st_size || length > static_cast<uint64_t>(info.st_size - offset))) {
      ThrowError(EINVAL, "mmap");
    }
  }
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t skip = offset % page;
  const size_t baseLength = length + static_cast<size_t>(skip);
  int prot = protection == Protection::Read ? PROT_READ : PROT_READ | PROT_WRITE;
  int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | (fd < 0 ? MAP_ANONYMOUS : 0);
  void* base = mmap(nullptr, baseLength, prot, flags, fd, static_cast<off_t>(offset - skip));
  if (base == MAP_FAILED) ThrowErrno("mmap");
  auto* mapping = new Mapping{base, baseLength, static_cast<uint8_t*>(base) + skip, length};
  std::lock_guard<std::mutex> hold(registryLock);
  registry[mapping->data] = mapping;
  return mapping;
}

void Unmap(Mapping* mapping) {
  {
    std::lock_guard<std::mutex> hold(registryLock);
    registry.erase(mapping->data);
  }
  munmap(mapping->base, mapping->baseLength);
  delete mapping;
}

Mapping* FindMapping(const void* data) {
  std::lock_guard<std::mutex> hold(registryLock);
  auto found = registry.find(data);
  return found == registry.end() ? nullptr : found->second;
}

void Sync(Mapping* mapping, bool async) {
  if (msync(mapping->base, mapping->baseLength, async ? MS_ASYNC : MS_SYNC) != 0) ThrowErrno("msync");
}

// Linux 5.14's MADV_POPULATE_READ, for C libraries whose headers predate it.
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

void Advise(Mapping* mapping, Advice advice) {
  int kind = advice == Advice::PopulateRead ? MADV_POPULATE_READ
             : advice == Advice::Normal     ? MADV_NORMAL
             : advice == Advice::Random     ? MADV_RANDOM
             : advice == Advice::Sequential ? MADV_SEQUENTIAL
             : advice == Advice::WillNeed   ? MADV_WILLNEED
                                            : MADV_DONTNEED;
  if (madvise(mapping->base, mapping->baseLength, kind) != 0) ThrowErrno("madvise");
}

}  // namespace xnative
