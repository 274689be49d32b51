// hashstore-bench: hashstore beside a baseline, in one process, one run.
//
// Workloads (choose with --workloads=a,b,...; default: all):
//   table_memory     one field table of 1,000,000 fields "f:N" -> 8-digit
//                    value vs absl::flat_hash_map<std::string, std::string>:
//                    bytes per field from the allocator, and the same at other
//                    sizes to show the growth curve
//   table_growth     inserting 0 -> 1,000,000 fields: throughput, worst,
//                    p99.9 and p99.99 latency of a single insert (steady_clock
//                    around each call) and how many took over 1 ms; the
//                    worst again in thread CPU time (excludes preemption)
//   hset_growth      the same growth through Store::hset into one key vs the
//                    nested-map keyspace behind a mutex: HSETs/s, worst,
//                    p99.9, p99.99, count over 1 ms, worst in CPU time
//                    (hset_growth.cc)
//   hash_memory      the same 1,000,000 fields through Store::hset into one
//                    key vs a keyspace of nested flat_hash_maps
//   profiles_memory  100,000 five-field user profiles through Store::hset vs
//                    the nested-map keyspace: bytes per hash
//   memory200        1,000 hashes of 200 fields "field:NNN" -> a quantity
//                    0..99, through Store::hset vs the nested-map keyspace:
//                    bytes per field beside the payload (memory200.cc)
//   churn            two rounds of 1,000,000 random writes, deletes and
//                    expiries over 100,000 keys: memory held beside a fresh
//                    build of the same live data (churn.cc)
//   speed            one thread on the 100,000-profile keyspace: HGET of one
//                    field, HMGET of 3, HGETALL, HSET of one field, HINCRBY,
//                    reserve — thread-safe Store vs the baseline behind one
//                    mutex, and single-threaded Store vs the bare baseline
//   instructions     instructions per call of HGET, hget_view, HSET, HINCRBY,
//                    HMGET and HGETALL on the 100,000 profiles, counted by
//                    valgrind's callgrind, beside the nested map bare and
//                    behind a mutex (instructions.cc; needs valgrind)
//   threads          1, 2, 4 and 8 threads doing 90% HGET / 10% HSET (one
//                    second each, threads stopped by a flag), the 2/1 and
//                    8/2 scaling beside a share-nothing loop of random
//                    reads (the machine's own 2/1 limit), and 4 threads
//                    reserving from the same 100 products (speed.cc)
//   usecases         the use cases end to end: profile read + update, stock
//                    reservation, session create / refresh / expire (with a
//                    ManualClock), cart add / remove (usecases.cc)
//   expiry           1,000,000 keys, then 1,000,000 fields (one hash, and
//                    10,000 hashes of 100), that expire unread: time until
//                    expire_cycle() has reclaimed them all, the longest single
//                    cycle, the cycle count, and the bytes not given back, vs
//                    nested flat_hash_maps with a std::multimap TTL index
//                    (expiry.cc)
//   persist          Store::save and Store::load of --persist-mb=N MB of hashes
//                    (default 1024): MB/s and the pause each shard sees, vs
//                    a plain dump of the nested maps (persist.cc)
//   rdb              a Redis RDB file of --rdb-mb=N MB (default 1024) of
//                    five-field hashes: writing it (MB/s, beside our
//                    snapshot), loading it (s, beside redis-server loading
//                    the same file) and the memory after loading (beside
//                    loading our snapshot) (rdb.cc)
//   aof              the append-only log: HSET with appendfsync everysec vs no
//                    log (1 and 4 threads), appendfsync always with 8 threads
//                    (group commit) vs an fdatasync per write, and replaying a
//                    log of --aof-mb=N MB (default 64) vs loading a snapshot
//                    (aof.cc)
//
// Every figure is taken for hashstore and for the baseline in the same
// process; the two alternate for --rounds rounds and the median is reported
// with the ratio. Memory (bytes_per_field) is the larger of two growths:
// what the allocator reports (mallinfo2: bytes in use in the heap plus
// mmapped blocks, plus the tables' own mappings) and the resident set
// (/proc/self/statm) — never the store's own count.
// Options: --workloads=LIST --rounds=N (default 3) --json=FILE --svg=FILE
//          --no-fastbins (mallopt(M_MXFAST, 0) first: see main())
//          --ops=LIST (speed: only these operations, e.g. hget,hset)
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include <hashstore/store.h>

#include "bench_common.h"
#include "encoding/field_entry.h"

namespace bench {

std::vector<Result> g_results;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void report(const std::string& workload, const std::string& metric, const std::string& unit,
            const std::vector<double>& ours, const std::vector<double>& theirs,
            bool lower_is_better) {
  Result r{workload, metric, unit, median(ours), median(theirs), lower_is_better};
  g_results.push_back(r);
  std::printf("%-16s %-38s %14.1f %14.1f %8.2fx  %s\n", workload.c_str(), metric.c_str(),
              r.hashstore, r.baseline, r.baseline == 0 ? 0.0 : r.hashstore / r.baseline,
              unit.c_str());
  std::fflush(stdout);
}

void progress(const char* what, int round, int rounds) {
  std::fprintf(stderr, "\r  %-40s round %d/%d ", what, round + 1, rounds);
  std::fflush(stderr);
}

void done_progress() { std::fprintf(stderr, "\r%60s\r", ""); }

size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd + hashstore::internal::mapped_table_bytes();
}

Profile profile(size_t i) {
  Profile p;
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "x" + to_string.
  p.key = std::string("user:").append(std::to_string(100000 + i));
  p.name = std::string("user").append(std::to_string(1000 + i % 9000));
  p.email = std::string("u").append(std::to_string(100000 + i)).append("@example.com");
  p.age = std::to_string(18 + i % 60);
  static const char* cities[] = {"OSL", "NYC", "PAR", "BER", "TYO"};
  p.city = cities[i % 5];
  char ts[32];
  std::snprintf(ts, sizeof ts, "2024-%02zu-%02zuT%02zu:%02zu:%02zuZ", 1 + i % 12, 1 + i % 28,
                i % 24, i % 60, (i * 7) % 60);
  p.created = ts;
  return p;
}

size_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// The resident set also sees malloc's unused holes and page rounding.
double bytes_per_field(size_t n, const std::function<void(size_t)>& add,
                       const std::function<void()>& clear) {
  malloc_trim(0);
  const size_t heap_before = heap_in_use(), rss_before = resident_bytes();
  for (size_t i = 0; i < n; ++i) add(i);
  const size_t heap = heap_in_use() - heap_before;
  const size_t rss_after = resident_bytes();
  const size_t rss = rss_after > rss_before ? rss_after - rss_before : 0;
  clear();
  malloc_trim(0);
  return static_cast<double>(std::max(heap, rss)) / static_cast<double>(n);
}

}  // namespace bench

namespace {

using namespace bench;
using hashstore::internal::FieldTable;
namespace field_entry = hashstore::internal::field_entry;

// "f:N" -> an 8-digit value, the large-hash shape.
std::string field_name(size_t i) { return std::string("f:").append(std::to_string(i)); }
std::string field_value(size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08zu", (i * 7919) % 100000000);
  return buf;
}


// ---- Workloads ------------------------------------------------------------------

// Average bytes of field name plus value over the first n fields: what a
// perfect store would pay.
double payload_per_field(size_t n) {
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) bytes += field_name(i).size() + field_value(i).size();
  return static_cast<double>(bytes) / static_cast<double>(n);
}

void table_memory(int rounds) {
  // 1,000,000 is the headline; the other sizes show the sawtooth of a
  // power-of-two table: 900,000 and 1,800,000 sit just below a growth (slots
  // 7/8 full), 1,000,000 and 1,200,000 just above one.
  for (size_t n : {600000, 800000, 900000, 1000000, 1200000, 1500000, 1800000}) {
    std::vector<double> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      progress(std::string("table_memory ").append(std::to_string(n)).c_str(), r, rounds);
      std::unique_ptr<FieldTable> t;
      ours.push_back(bytes_per_field(
          n,
          [&](size_t i) {
            if (!t) t = std::make_unique<FieldTable>(12345);
            const std::string f = field_name(i);
            t->insert(t->make(f, field_value(i), std::nullopt), t->hash(f));
            if (i + 1 == n) t->finish_rehash();
          },
          [&] { t.reset(); }));
      std::unique_ptr<Baseline> m;
      theirs.push_back(bytes_per_field(
          n,
          [&](size_t i) {
            if (!m) m = std::make_unique<Baseline>();
            m->emplace(field_name(i), field_value(i));
          },
          [&] { m.reset(); }));
    }
    done_progress();
    report("table_memory", std::string("bytes/field at ").append(std::to_string(n)), "bytes", ours,
           theirs, true);
  }
  const double payload = payload_per_field(1000000);
  report("table_memory", "payload bytes/field at 1000000 (both)", "bytes", {payload}, {payload},
         true);
  const Result* headline = nullptr;
  for (const Result& r : g_results) {
    if (r.workload == "table_memory" && r.metric == "bytes/field at 1000000") headline = &r;
  }
  if (headline != nullptr) {
    std::printf("%-16s %-38s %14.2f %14.2f\n", "table_memory", "bytes/field / payload at 1000000",
                headline->hashstore / payload, headline->baseline / payload);
  }
}

void table_growth(int rounds) {
  constexpr size_t n = 1000000;
  std::vector<double> ours_tput, theirs_tput, ours_worst, theirs_worst, ours_p999, theirs_p999,
      ours_p9999, theirs_p9999, ours_over, theirs_over;
  std::vector<std::string> names(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    names[i] = field_name(i);
    values[i] = field_value(i);
  }
  auto run = [&](const std::function<void(size_t)>& insert, std::vector<double>* tput,
                 std::vector<double>* worst, std::vector<double>* p999,
                 std::vector<double>* p9999, std::vector<double>* over) {
    std::vector<double> lat(n);
    const auto start = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      const auto t0 = Clock::now();
      insert(i);
      lat[i] = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    tput->push_back(n / secs);
    std::sort(lat.begin(), lat.end());
    worst->push_back(lat.back());
    p999->push_back(lat[n * 999 / 1000]);
    p9999->push_back(lat[n * 9999 / 10000]);
    over->push_back(static_cast<double>(lat.end() - std::upper_bound(lat.begin(), lat.end(), 1000.0)));
  };
  // A second pass times each insert with the thread's CPU clock: on a busy
  // machine the wall-clock worst case is often a preemption (a 4 ms
  // scheduler tick), which the CPU clock does not count, so the two together
  // tell the structure's own stalls from the machine's.
  std::vector<double> ours_cpu_worst, theirs_cpu_worst;
  auto cpu_worst = [&](const std::function<void(size_t)>& insert) {
    double worst = 0;
    for (size_t i = 0; i < n; ++i) {
      timespec a, b;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      insert(i);
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      worst = std::max(worst, (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
    }
    return worst;
  };
  for (int r = 0; r < rounds; ++r) {
    progress("table_growth", r, rounds);
    {
      FieldTable t(99);
      run([&](size_t i) {
            t.insert(t.make(names[i], values[i], std::nullopt), t.hash(names[i]));
          },
          &ours_tput, &ours_worst, &ours_p999, &ours_p9999, &ours_over);
    }
    {
      Baseline m;
      run([&](size_t i) { m.emplace(names[i], values[i]); }, &theirs_tput, &theirs_worst,
          &theirs_p999, &theirs_p9999, &theirs_over);
    }
    {
      FieldTable t(99);
      ours_cpu_worst.push_back(cpu_worst([&](size_t i) {
        t.insert(t.make(names[i], values[i], std::nullopt), t.hash(names[i]));
      }));
    }
    {
      Baseline m;
      theirs_cpu_worst.push_back(cpu_worst([&](size_t i) { m.emplace(names[i], values[i]); }));
    }
  }
  done_progress();
  report("table_growth", "inserts/s (0 -> 1M)", "ops/s", ours_tput, theirs_tput, false);
  report("table_growth", "worst single insert", "us", ours_worst, theirs_worst, true);
  report("table_growth", "p99.9 single insert", "us", ours_p999, theirs_p999, true);
  report("table_growth", "p99.99 single insert", "us", ours_p9999, theirs_p9999, true);
  report("table_growth", "inserts over 1 ms (of 1M)", "count", ours_over, theirs_over, true);
  report("table_growth", "worst single insert, thread CPU time", "us", ours_cpu_worst,
         theirs_cpu_worst, true);
}

void hash_memory(int rounds) {
  constexpr size_t n = 1000000;
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("hash_memory", r, rounds);
    std::unique_ptr<hashstore::Store> s;
    ours.push_back(bytes_per_field(
        n,
        [&](size_t i) {
          if (!s) s = std::make_unique<hashstore::Store>();
          (void)s->hset("big", field_name(i), field_value(i));
        },
        [&] { s.reset(); }));
    std::unique_ptr<BaselineKeyspace> ks;
    theirs.push_back(bytes_per_field(
        n,
        [&](size_t i) {
          if (!ks) ks = std::make_unique<BaselineKeyspace>();
          (*ks)["big"].emplace(field_name(i), field_value(i));
        },
        [&] { ks.reset(); }));
  }
  done_progress();
  report("hash_memory", "bytes/field, 1 hash of 1M fields", "bytes", ours, theirs, true);
}

void profiles_memory(int rounds) {
  constexpr size_t n = 100000;
  std::vector<Profile> profiles;
  size_t payload = 0;
  for (size_t i = 0; i < n; ++i) {
    profiles.push_back(profile(i));
    const Profile& p = profiles.back();
    payload += p.key.size() + 4 + p.name.size() + 5 + p.email.size() + 3 + p.age.size() + 4 +
               p.city.size() + 10 + p.created.size();
  }
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("profiles_memory", r, rounds);
    std::unique_ptr<hashstore::Store> s;
    ours.push_back(bytes_per_field(
        n,
        [&](size_t i) {
          if (!s) s = std::make_unique<hashstore::Store>();
          const Profile& p = profiles[i];
          (void)s->hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                                {"city", p.city}, {"created_at", p.created}});
        },
        [&] { s.reset(); }));
    std::unique_ptr<BaselineKeyspace> ks;
    theirs.push_back(bytes_per_field(
        n,
        [&](size_t i) {
          if (!ks) ks = std::make_unique<BaselineKeyspace>();
          const Profile& p = profiles[i];
          Baseline& h = (*ks)[p.key];
          h.emplace("name", p.name);
          h.emplace("email", p.email);
          h.emplace("age", p.age);
          h.emplace("city", p.city);
          h.emplace("created_at", p.created);
        },
        [&] { ks.reset(); }));
  }
  done_progress();
  report("profiles_memory", "bytes/hash, 100k 5-field profiles", "bytes", ours, theirs, true);
  std::printf("%-16s %-34s %14.1f\n", "profiles_memory", "payload bytes/hash",
              static_cast<double>(payload) / n);
  // What expiry adds: the same profiles with a key TTL each, and with a TTL
  // on each of the five fields, beside the profiles without (so the
  // difference is the TTLs' cost). TTLs spread over an hour, in ms.
  for (const bool fields : {false, true}) {
    std::vector<double> with, without, counted;  // counted: the store's used_memory per hash
    for (int r = 0; r < rounds; ++r) {
      for (const bool ttl : {true, false}) {
        std::unique_ptr<hashstore::Store> s;
        (ttl ? with : without)
            .push_back(bytes_per_field(
                n,
                [&](size_t i) {
                  if (!s) s = std::make_unique<hashstore::Store>();
                  const Profile& p = profiles[i];
                  (void)s->hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                                        {"city", p.city}, {"created_at", p.created}});
                  if (!ttl) return;
                  const int64_t ms = 3600000 + static_cast<int64_t>(i * 7919 % 3600000);
                  if (fields) {
                    const std::string_view names[] = {"name", "email", "age", "city",
                                                      "created_at"};
                    (void)s->hpexpire(p.key, ms, names);
                  } else {
                    (void)s->pexpire(p.key, ms);
                  }
                },
                [&] {
                  if (ttl) counted.push_back(static_cast<double>(s->stats().used_memory) / n);
                  s.reset();
                }));
      }
    }
    report("profiles_memory",
           fields ? "bytes/hash, a TTL on each field (vs none)" : "bytes/hash, a key TTL (vs none)",
           "bytes", with, without, true);
    std::printf("%-16s %-34s %14.1f\n", "profiles_memory",
                fields ? "TTL bytes/field" : "TTL bytes/key",
                (median(with) - median(without)) / (fields ? 5.0 : 1.0));
    // The Memory issue asks used_memory to stay within 5% of what is held.
    std::printf("%-16s %-34s %14.3f\n", "profiles_memory", "used_memory / measured, with TTLs",
                median(counted) / median(with));
  }
}

struct Workload {
  const char* name;
  void (*run)(int rounds);
};

const Workload kWorkloads[] = {
    {"table_memory", table_memory},
    {"table_growth", table_growth},
    {"hset_growth", hset_growth},
    {"hash_memory", hash_memory},
    {"profiles_memory", profiles_memory},
    {"memory200", memory200},
    {"churn", churn},
    {"speed", speed},
    {"instructions", instructions},
    {"threads", threads},
    {"usecases", usecases},
    {"expiry", expiry},
    {"persist", persist},
    {"rdb", rdb},
    {"aof", aof},
};

void write_json(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::perror(path.c_str());
    return;
  }
  std::fprintf(f, "{\"results\": [\n");
  for (size_t i = 0; i < g_results.size(); ++i) {
    const Result& r = g_results[i];
    std::fprintf(f,
                 "  {\"workload\": \"%s\", \"metric\": \"%s\", \"unit\": \"%s\", "
                 "\"hashstore\": %.3f, \"baseline\": %.3f, \"lower_is_better\": %s}%s\n",
                 r.workload.c_str(), r.metric.c_str(), r.unit.c_str(), r.hashstore, r.baseline,
                 r.lower_is_better ? "true" : "false", i + 1 < g_results.size() ? "," : "");
  }
  std::fprintf(f, "]}\n");
  std::fclose(f);
}

// A bar chart: per figure, hashstore's bar and the baseline's, each scaled
// to the larger of the two, with the values written beside them.
void write_svg(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::perror(path.c_str());
    return;
  }
  const int row = 34, left = 330, width = 360, top = 40;
  const int height = top + static_cast<int>(g_results.size()) * row + 20;
  std::fprintf(f,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "font-family=\"sans-serif\" font-size=\"11\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"10\" y=\"18\" font-size=\"14\">hashstore-bench: hashstore "
               "(blue) beside the baseline (grey); longer is the larger figure</text>\n",
               left + width + 140, height);
  for (size_t i = 0; i < g_results.size(); ++i) {
    const Result& r = g_results[i];
    const double top_value = std::max(r.hashstore, r.baseline);
    const int y = top + static_cast<int>(i) * row;
    auto bar = [&](double v, int dy, const char* color) {
      const int w = top_value > 0 ? static_cast<int>(width * v / top_value) : 0;
      std::fprintf(f,
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\">%.4g</text>\n",
                   left, y + dy, std::max(w, 1), color, left + std::max(w, 1) + 4, y + dy + 10, v);
    };
    std::fprintf(f, "<text x=\"10\" y=\"%d\">%s: %s (%s, %s)</text>\n", y + 16,
                 r.workload.c_str(), r.metric.c_str(), r.unit.c_str(),
                 r.lower_is_better ? "lower is better" : "higher is better");
    bar(r.hashstore, 2, "#3b6fd4");
    bar(r.baseline, 15, "#aaaaaa");
  }
  std::fprintf(f, "</svg>\n");
  std::fclose(f);
}

// Splits "a,b,c" into its non-empty parts.
std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= list.size();) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > pos) out.emplace_back(list.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> chosen;
  int rounds = 3;
  std::string json, svg;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--workloads=", 0) == 0) {
      chosen = split_list(a.substr(12));
    } else if (a.rfind("--ops=", 0) == 0) {
      g_speed_ops = split_list(a.substr(6));
    } else if (a.rfind("--rounds=", 0) == 0) {
      rounds = std::max(1, std::atoi(argv[i] + 9));
    } else if (a.rfind("--json=", 0) == 0) {
      json = std::string(a.substr(7));
    } else if (a.rfind("--persist-mb=", 0) == 0) {
      g_persist_mb = std::max(1, std::atoi(argv[i] + 13));
    } else if (a.rfind("--aof-mb=", 0) == 0) {
      g_aof_mb = std::max(1, std::atoi(argv[i] + 9));
    } else if (a.rfind("--rdb-mb=", 0) == 0) {
      g_rdb_mb = std::max(1, std::atoi(argv[i] + 9));
    } else if (a.rfind("--svg=", 0) == 0) {
      svg = std::string(a.substr(6));
    } else if (a == "--no-fastbins") {
      // glibc keeps small freed chunks in "fastbins" and merges them all in
      // one go (malloc_consolidate) at the next large allocation or large
      // free: after a million frees that single call takes tens of ms, in
      // whatever code happens to trigger it. Latency-sensitive programs turn
      // fastbins off; this shows the difference.
      mallopt(M_MXFAST, 0);
    } else {
      std::fprintf(stderr,
                   "usage: hashstore-bench [--workloads=a,b] [--rounds=N] [--json=FILE] "
                   "[--svg=FILE] [--no-fastbins] [--persist-mb=N] [--rdb-mb=N] [--aof-mb=N] [--ops=a,b]\n");
      return 2;
    }
  }
  for (const std::string& c : chosen) {
    bool known = false;
    for (const Workload& w : kWorkloads) known |= c == w.name;
    if (!known) {
      std::fprintf(stderr, "hashstore-bench: unknown workload %s\n", c.c_str());
      return 2;
    }
  }
  std::printf("%-16s %-34s %14s %14s %9s\n", "workload", "metric", "hashstore", "baseline", "ratio");
  for (const Workload& w : kWorkloads) {
    if (chosen.empty() || std::find(chosen.begin(), chosen.end(), w.name) != chosen.end()) {
      w.run(rounds);
    }
  }
  if (!json.empty()) write_json(json);
  if (!svg.empty()) write_svg(svg);
  return 0;
}
