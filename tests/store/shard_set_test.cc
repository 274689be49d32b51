// ShardSet (lib/store/shard_locks.h): the set of shards a multi-shard lock
// takes, one bit per shard, walked in ascending order.
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "store/shard_locks.h"

namespace {

using hashstore::internal::ShardSet;

std::vector<size_t> members(const ShardSet& set) {
  std::vector<size_t> out;
  set.for_each([&](size_t i) { out.push_back(i); });
  return out;
}

}  // namespace

TEST_CASE("ShardSet::all holds every shard and no more") {
  for (size_t n : {1, 2, 31, 32, 63, 64, 65, 127, 128, 1000, 1024}) {
    CAPTURE(n);
    const std::vector<size_t> got = members(ShardSet::all(n));
    REQUIRE(got.size() == n);
    for (size_t i = 0; i < n; ++i) CHECK(got[i] == i);
  }
}

TEST_CASE("ShardSet holds what was inserted, once each, ascending") {
  ShardSet set(200);
  CHECK(members(set).empty());
  for (size_t i : {150, 3, 64, 63, 3, 199, 0, 128, 64}) set.insert(i);
  CHECK(members(set) == std::vector<size_t>{0, 3, 63, 64, 128, 150, 199});
  CHECK(set.contains(0));
  CHECK(set.contains(199));
  CHECK_FALSE(set.contains(1));
  CHECK_FALSE(set.contains(65));
  CHECK_FALSE(set.contains(127));
}
