// hashstore-bench workload `hset_growth`: the growth figure taken
// through the public API. One key "big" grows from 0 to 1,000,000 fields by
// Store::hset (thread-safe Store, default options: the listpack converts to
// a table at field 513, then the table grows incrementally) beside the
// nested-map keyspace behind one std::mutex. Fields "f:N" -> 8-digit values,
// as table_growth. Figures: HSETs per second over the whole growth, the
// worst, p99.9 and p99.99 single call (steady_clock around each), how many
// took over 1 ms, and the worst again in thread CPU time (a preemption on a
// busy machine shows in wall time only). The timers around every call are
// in the throughput of both sides.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr size_t kFields = 1000000;

double thread_cpu_us() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

struct Figures {
  std::vector<double> tput, worst, p999, p9999, over, cpu_worst;
};

// Times insert(i) for every i, wall clock and thread CPU time per call.
template <class Insert>
void measure(Insert insert, Figures* out) {
  std::vector<double> lat(kFields);
  double cpu_worst = 0;
  const auto start = Clock::now();
  for (size_t i = 0; i < kFields; ++i) {
    const double c0 = thread_cpu_us();
    const auto t0 = Clock::now();
    insert(i);
    lat[i] = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    cpu_worst = std::max(cpu_worst, thread_cpu_us() - c0);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  out->tput.push_back(static_cast<double>(kFields) / secs);
  std::sort(lat.begin(), lat.end());
  out->worst.push_back(lat.back());
  out->p999.push_back(lat[kFields * 999 / 1000]);
  out->p9999.push_back(lat[kFields * 9999 / 10000]);
  out->over.push_back(
      static_cast<double>(lat.end() - std::upper_bound(lat.begin(), lat.end(), 1000.0)));
  out->cpu_worst.push_back(cpu_worst);
}

}  // namespace

void hset_growth(int rounds) {
  std::vector<std::string> names(kFields), values(kFields);
  for (size_t i = 0; i < kFields; ++i) {
    names[i] = std::string("f:").append(std::to_string(i));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08zu", (i * 7919) % 100000000);
    values[i] = buf;
  }
  Figures ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("hset_growth", r, rounds);
    {
      hashstore::Store store;
      measure([&](size_t i) { (void)store.hset("big", names[i], values[i]); }, &ours);
    }
    {
      BaselineKeyspace ks;
      std::mutex mu;
      measure(
          [&](size_t i) {
            std::lock_guard<std::mutex> l(mu);
            ks["big"].insert_or_assign(names[i], values[i]);
          },
          &theirs);
    }
  }
  done_progress();
  report("hset_growth", "HSETs/s (0 -> 1M fields, one key)", "ops/s", ours.tput, theirs.tput,
         false);
  report("hset_growth", "worst single HSET", "us", ours.worst, theirs.worst, true);
  report("hset_growth", "p99.9 single HSET", "us", ours.p999, theirs.p999, true);
  report("hset_growth", "p99.99 single HSET", "us", ours.p9999, theirs.p9999, true);
  report("hset_growth", "HSETs over 1 ms (of 1M)", "count", ours.over, theirs.over, true);
  report("hset_growth", "worst single HSET, thread CPU time", "us", ours.cpu_worst,
         theirs.cpu_worst, true);
}

}  // namespace bench
