// Shared pieces of hashstore-bench: result reporting, the baseline types,
// the user-profile shape, and the workloads that live in other files.
#ifndef HASHSTORE_TOOLS_BENCH_BENCH_COMMON_H_
#define HASHSTORE_TOOLS_BENCH_BENCH_COMMON_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace bench {

using Clock = std::chrono::steady_clock;
// The baseline: a keyspace of nested flat_hash_maps.
using Baseline = absl::flat_hash_map<std::string, std::string>;
using BaselineKeyspace = absl::flat_hash_map<std::string, Baseline>;

struct Result {
  std::string workload;
  std::string metric;
  std::string unit;
  double hashstore;
  double baseline;
  bool lower_is_better;
};
extern std::vector<Result> g_results;

double median(std::vector<double> v);
// Prints one table row (median of each side and the ratio) and records it.
void report(const std::string& workload, const std::string& metric, const std::string& unit,
            const std::vector<double>& ours, const std::vector<double>& theirs,
            bool lower_is_better);
void progress(const char* what, int round, int rounds);
void done_progress();
// Bytes in use according to the allocator (mallinfo2: the heap plus its
// mmapped blocks), plus the large slot arrays hashstore's tables map
// themselves (the allocator does not see those; zero for the baseline).
size_t heap_in_use();
// Bytes resident in the process (/proc/self/statm), 0 when unreadable.
size_t resident_bytes();
// Builds n items with `add` and returns the bytes per item: the larger of
// the heap's growth (heap_in_use) and the resident set's; `clear` releases
// them before returning.
double bytes_per_field(size_t n, const std::function<void(size_t)>& add,
                       const std::function<void()>& clear);

// A user profile like the issue's: name ~8 bytes, email ~20, age, city ~3,
// created_at an ISO timestamp.
struct Profile {
  std::string key, name, email, age, city, created;
};
Profile profile(size_t i);

// The baseline's counter operations, done as the Store does them (values
// parsed strictly; speed.cc): HINCRBY on one hash (nullopt when the value is
// not an integer), and reserve of n from key's "stock" (nullopt when the
// key is missing, the value not an integer, or fewer than n are left).
std::optional<int64_t> base_incr(Baseline& h, const std::string& field, int64_t by);
std::optional<int64_t> base_reserve(BaselineKeyspace& ks, const std::string& key, int64_t n);

// speed.cc; --ops=a,b limits `speed` to the operations whose names start
// with one of them (e.g. --ops=hget,hset); empty: all.
void speed(int rounds);
extern std::vector<std::string> g_speed_ops;
void threads(int rounds);

// instructions.cc: runs the program again under callgrind.
void instructions(int rounds);

// hset_growth.cc
void hset_growth(int rounds);

// memory200.cc
void memory200(int rounds);
// churn.cc
void churn(int rounds);

// usecases.cc
void usecases(int rounds);

// expiry.cc
void expiry(int rounds);

// aof.cc; --aof-mb=N sets the replayed log's size.
void aof(int rounds);
extern size_t g_aof_mb;

// persist.cc; --persist-mb=N sets the data size.
void persist(int rounds);
extern size_t g_persist_mb;

// rdb.cc; --rdb-mb=N sets the file size.
void rdb(int rounds);
extern size_t g_rdb_mb;

}  // namespace bench

#endif  // HASHSTORE_TOOLS_BENCH_BENCH_COMMON_H_
