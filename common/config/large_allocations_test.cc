#include "common/config/large_allocations.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace skinlens {
namespace {

#if defined(__GLIBC__)
// The number of blocks malloc currently serves with their own mmap.
size_t MappedBlocks() { return mallinfo2().hblks; }

TEST(KeepLargeAllocationsInProcess, ServesPhotoSizedBuffersFromTheHeapInsteadOfFreshMappings) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer brings its own allocator, which ignores mallopt.
  (void)KeepLargeAllocationsInProcess();  // must not crash; what it returns is not ours
  GTEST_SKIP() << "glibc's allocator is replaced by AddressSanitizer's";
#endif
  // Before: a 4 MB buffer (a 12 MP photo's preview, a feature map batch) is its own mapping.
  const size_t before = MappedBlocks();
  void* fresh = std::malloc(4 << 20);
  ASSERT_NE(fresh, nullptr);
  std::memset(fresh, 1, 4 << 20);
  const bool mapped_by_default = MappedBlocks() > before;
  std::free(fresh);

  ASSERT_TRUE(KeepLargeAllocationsInProcess());
  const size_t base = MappedBlocks();
  for (size_t size : {size_t{200} << 10, size_t{4} << 20, size_t{24} << 20}) {
    void* buffer = std::malloc(size);
    ASSERT_NE(buffer, nullptr);
    std::memset(buffer, 1, size);
    EXPECT_EQ(MappedBlocks(), base) << size << " bytes got a mapping of their own";
    std::free(buffer);
  }
  // Only meaningful where the default did map it (glibc's threshold may already have risen).
  if (!mapped_by_default) GTEST_SKIP() << "malloc's threshold had already risen above 4 MB";
}
#endif

}  // namespace
}  // namespace skinlens
