// hashstore-bench's `aof` workload: the append-only log's costs, each
// beside its baseline in the same run.
//
//   hset everysec, 1 and 4 threads  HSET of one field into 10,000 profile
//       keys for a fixed time, with appendonly yes / appendfsync everysec
//       vs the same Store without a log (the target: 0.8x or more)
//   hset always, 8 threads (group commit)  the same with appendfsync always
//       vs 8 threads each appending the same records to one log file and
//       calling fdatasync per write (a log without group commit; target 5x)
//   replay  Store::open of a log of --aof-mb=N MB (default 64) of HSETs,
//       MB/s, vs loading a snapshot of the same keyspace (target 200 MB/s)
//
// Files go to $TMPDIR (default /tmp): the fsync figures are that disk's.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/store.h>

#include "absl/strings/str_cat.h"

#include "absl/strings/str_cat.h"
#include "bench_common.h"

namespace bench {

size_t g_aof_mb = 64;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string tmp_dir(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string d = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

hashstore::Options log_options(const std::string& dir, hashstore::AppendFsync f) {
  hashstore::Options o;
  o.appendonly = true;
  o.appendfsync = f;
  o.dir = dir;
  o.auto_aof_rewrite_percentage = 0;
  return o;
}

std::unique_ptr<hashstore::Store> open_or_die(const hashstore::Options& o) {
  absl::StatusOr<std::unique_ptr<hashstore::Store>> s = hashstore::Store::open(o);
  if (!s.ok()) {
    std::fprintf(stderr, "aof: %s\n", std::string(s.status().message()).c_str());
    std::exit(1);
  }
  return std::move(*s);
}

// HSETs per second by `threads` threads for `seconds` (each thread its own
// keys, values changing length so that writes take the general path).
double hset_rate(hashstore::Store& s, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      uint64_t n = 0;
      std::string key, value;
      for (; !stop.load(std::memory_order_relaxed); ++n) {
        key = absl::StrCat("user:", t) + absl::StrCat(":", n % 10000);
        value = std::to_string(n);
        (void)s.hset(key, "visits", value);
      }
      total += n;
    });
  }
  const Clock::time_point t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : ts) th.join();
  return static_cast<double>(total.load()) / seconds_since(t0);
}

// The baseline of group commit: every write appends its record to one file
// under a mutex and fdatasyncs before returning (what each writer pays
// alone).
double fsync_each_rate(const std::string& path, int threads, double seconds) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> ts;
  const std::string record(60, 'r');  // about one HSET record of the log
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      uint64_t n = 0;
      for (; !stop.load(std::memory_order_relaxed); ++n) {
        std::lock_guard<std::mutex> l(mu);
        if (::write(fd, record.data(), record.size()) < 0 || ::fdatasync(fd) != 0) std::abort();
      }
      total += n;
    });
  }
  const Clock::time_point t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : ts) th.join();
  ::close(fd);
  return static_cast<double>(total.load()) / seconds_since(t0);
}

}  // namespace

void aof(int rounds) {
  const double kSeconds = 1.0;
  for (int threads : {1, 4}) {
    std::vector<double> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      progress(threads == 1 ? "aof: everysec 1 thread" : "aof: everysec 4 threads", r, rounds);
      {
        auto s = open_or_die(log_options(tmp_dir("hashstore-bench-aof"), hashstore::AppendFsync::kEverysec));
        ours.push_back(hset_rate(*s, threads, kSeconds));
      }
      hashstore::Store plain;
      theirs.push_back(hset_rate(plain, threads, kSeconds));
    }
    done_progress();
    report("aof", absl::StrCat("HSET everysec vs no log, ", threads) + (threads == 1 ? " thread" : " threads"),
           "ops/s", ours, theirs, false);
  }
  {
    std::vector<double> ours, theirs, one;
    for (int r = 0; r < rounds; ++r) {
      progress("aof: always, 8 threads", r, rounds);
      {
        auto s = open_or_die(log_options(tmp_dir("hashstore-bench-aof"), hashstore::AppendFsync::kAlways));
        ours.push_back(hset_rate(*s, 8, 2 * kSeconds));
      }
      theirs.push_back(fsync_each_rate(tmp_dir("hashstore-bench-aof") + "/alone.log", 8, 2 * kSeconds));
    }
    done_progress();
    report("aof", "HSET always 8 threads (group commit) vs fdatasync per write", "ops/s", ours, theirs,
           false);
  }
  {
    // Replay: a log of about g_aof_mb MB of HSETs (appendfsync no), loaded
    // by Store::open, beside the snapshot of the same keyspace.
    const std::string dir = tmp_dir("hashstore-bench-aof-replay");
    uint64_t log_bytes = 0;
    {
      auto s = open_or_die(log_options(dir, hashstore::AppendFsync::kNo));
      const uint64_t target = uint64_t{g_aof_mb} << 20;
      std::string value(40, 'v');
      for (uint64_t i = 0; log_bytes < target; ++i) {
        const Profile p = profile(i % 200000);
        (void)s->hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age}, {"city", p.city}});
        if (i % 4096 == 0) log_bytes = std::filesystem::file_size(dir + "/appendonly.aof");
      }
      if (absl::Status st = s->save(dir + "/snap.hss"); !st.ok()) std::exit(1);
    }
    log_bytes = std::filesystem::file_size(dir + "/appendonly.aof");
    const uint64_t snap_bytes = std::filesystem::file_size(dir + "/snap.hss");
    std::vector<double> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      progress("aof: replay", r, rounds);
      Clock::time_point t0 = Clock::now();
      {
        auto s = open_or_die(log_options(dir, hashstore::AppendFsync::kNo));
        ours.push_back(static_cast<double>(log_bytes) / 1e6 / seconds_since(t0));
      }
      hashstore::Store loaded;
      t0 = Clock::now();
      if (absl::Status st = loaded.load(dir + "/snap.hss"); !st.ok()) std::exit(1);
      theirs.push_back(static_cast<double>(snap_bytes) / 1e6 / seconds_since(t0));
    }
    done_progress();
    report("aof", absl::StrCat("replay of a ", log_bytes >> 20) + " MB log vs snapshot load", "MB/s",
           ours, theirs, false);
    std::filesystem::remove_all(dir);
  }
}

}  // namespace bench
