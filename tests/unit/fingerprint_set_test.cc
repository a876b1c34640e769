#include "crawler/frontier/fingerprint_set.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

namespace crawler {
namespace {

TEST(FingerprintSet, AgreesWithStdUnorderedSetIncludingZeroAndRepeats) {
  FingerprintSet set;
  std::unordered_set<std::uint64_t> reference;
  std::mt19937_64 random(3);
  for (int i = 0; i < 300000; ++i) {
    // A small range too, so values repeat and collide in the low bits.
    const std::uint64_t fp = i % 4 == 0 ? random() % 5000 : random();
    EXPECT_EQ(set.insert(fp), reference.insert(fp).second) << fp;
  }
  EXPECT_EQ(set.size(), reference.size());
  for (const std::uint64_t fp : reference) ASSERT_TRUE(set.contains(fp));
  std::size_t absent = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t fp = random();
    if (!reference.contains(fp)) {
      EXPECT_FALSE(set.contains(fp));
      ++absent;
    }
  }
  EXPECT_GT(absent, 9000u);
}

TEST(FingerprintSet, ZeroIsAnOrdinaryMember) {
  FingerprintSet set;
  EXPECT_FALSE(set.contains(0));
  EXPECT_TRUE(set.insert(0));
  EXPECT_FALSE(set.insert(0));
  EXPECT_TRUE(set.contains(0));
  EXPECT_EQ(set.size(), 1u);
}

TEST(FingerprintSet, CostsAtMostThreeSlotsAMember) {
  FingerprintSet set;
  std::mt19937_64 random(5);
  for (int i = 0; i < 1000000; ++i) set.insert(random());
  EXPECT_EQ(set.size(), 1000000u);
  // 8-byte slots, at most 3/4 full before doubling: under 22 bytes a member.
  EXPECT_LE(set.memory_bytes(), 22u * 1000000u);
}

}  // namespace
}  // namespace crawler
