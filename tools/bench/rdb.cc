// hashstore-bench workload `rdb`: Redis RDB files of five-field hashes
// (the user profiles of bench.cc, listpacks), about --rdb-mb MB of file
// (default 1024).
//
//   write   Store::save(path, SaveFormat::kRdb) to a file in /dev/shm (RAM:
//           the format's own speed, no disk), in MB/s of file, beside
//           Store::save of our own snapshot written the same way
//   save    the same to $TMPDIR (or /tmp) on disk, fsyncs included: what
//           the disk allows
//   load    Store::load of the RDB file (from /dev/shm) into a fresh Store,
//           in seconds, beside redis-server 7.0 loading the same file: a
//           redis-server is started on it (a loopback port from
//           $HASHSTORE_RDB_PORTS, default 22200-22299; stopped by its PID)
//           and its own figure is taken from its log line "DB loaded from
//           disk: N seconds" (process start is not in it). Without
//           redis-server the baseline is 0.
//   load    the RDB load beside Store::load of our snapshot, in seconds
//   memory  bytes per key after the RDB load, beside a fresh Store that
//           loaded our own snapshot of the same store (allocator figures,
//           heap_in_use)
// Without /dev/shm, "write" uses $TMPDIR too.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

size_t g_rdb_mb = 1024;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

struct RedisLoad {
  double seconds = 0;       // redis-server's own figure
  double wall_seconds = 0;  // from fork to the log line
  uint64_t keys = 0;
};

// Starts redis-server on dir/file, waits for its "DB loaded from disk"
// line, stops it by its PID. nullopt-like (seconds 0) when it cannot run.
RedisLoad redis_load(const std::string& dir, const std::string& file) {
  RedisLoad out;
  int first = 22200, last = 22299;
  if (const char* spec = std::getenv("HASHSTORE_RDB_PORTS")) {
    std::sscanf(spec, "%d-%d", &first, &last);
  }
  int port = 0;
  for (int p = first; p <= last && port == 0; ++p) {
    if (port_free(p)) port = p;
  }
  if (port == 0) return out;
  const std::string log = dir + "/redis-bench.log";
  ::unlink(log.c_str());
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string p = std::to_string(port);
    ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--dir",
             dir.c_str(), "--dbfilename", file.c_str(), "--save", "", "--appendonly", "no",
             "--logfile", log.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) return out;
  for (;;) {
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) return out;  // it died (or is missing)
    std::ifstream in(log);
    std::string line;
    bool done = false;
    while (std::getline(in, line)) {
      if (const size_t at = line.find("Done loading RDB, keys loaded: "); at != std::string::npos) {
        out.keys = std::strtoull(line.c_str() + at + 31, nullptr, 10);
      }
      if (const size_t at = line.find("DB loaded from disk: "); at != std::string::npos) {
        out.seconds = std::atof(line.c_str() + at + 21);
        out.wall_seconds = seconds_since(t0);
        done = true;
      }
    }
    if (done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGTERM);
  int status;
  ::waitpid(pid, &status, 0);
  ::unlink(log.c_str());
  return out;
}

}  // namespace

void rdb(int rounds) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string disk_dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const std::string ram_dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : disk_dir;
  const std::string rdb_file = "hashstore-bench.rdb";
  const std::string rdb_path = ram_dir + "/" + rdb_file;
  const std::string snap_path = ram_dir + "/hashstore-bench-rdb.hss";
  const std::string disk_rdb = disk_dir + "/hashstore-bench-disk.rdb";
  const std::string disk_snap = disk_dir + "/hashstore-bench-disk.hss";
  // A profile takes about 105 bytes of RDB file.
  const size_t keys_wanted = g_rdb_mb * 1000000 / 105;

  std::fprintf(stderr, "  rdb: building %zu five-field hashes...", keys_wanted);
  auto store = std::make_unique<hashstore::Store>();
  for (size_t i = 0; i < keys_wanted; ++i) {
    const Profile p = profile(i);
    (void)store->hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                              {"city", p.city}, {"created_at", p.created}});
  }
  done_progress();
  const double keys = static_cast<double>(store->dbsize());

  std::vector<double> write_rdb, write_snap, save_rdb, save_snap, load_ours, load_redis, load_snap;
  std::vector<double> mem_rdb, mem_snap, redis_wall;
  uint64_t rdb_bytes = 0, snap_bytes = 0, redis_keys = 0;
  // Saves in the format to path: MB/s of file.
  auto timed_save = [&](const std::string& path, bool rdb_format, uint64_t* bytes) {
    hashstore::Store::SaveStats stats;
    const Clock::time_point t0 = Clock::now();
    const absl::Status st =
        rdb_format ? store->save(path, hashstore::Store::SaveFormat::kRdb, &stats)
                   : store->save(path, &stats);
    if (!st.ok()) {
      std::fprintf(stderr, "save to %s failed: %s\n", path.c_str(),
                   std::string(st.message()).c_str());
      std::exit(1);
    }
    *bytes = stats.bytes;
    return static_cast<double>(stats.bytes) / 1e6 / seconds_since(t0);
  };
  // Loads path into a fresh Store: seconds, and heap bytes per key after.
  auto timed_load = [&](const std::string& path, std::vector<double>* secs,
                        std::vector<double>* mem) {
    const size_t before = heap_in_use();
    auto loaded = std::make_unique<hashstore::Store>();
    const Clock::time_point t0 = Clock::now();
    if (absl::Status st = loaded->load(path); !st.ok()) {
      std::fprintf(stderr, "load of %s failed: %s\n", path.c_str(),
                   std::string(st.message()).c_str());
      std::exit(1);
    }
    secs->push_back(seconds_since(t0));
    mem->push_back(static_cast<double>(heap_in_use() - before) / keys);
    if (static_cast<double>(loaded->dbsize()) != keys) {
      std::fprintf(stderr, "load of %s: %ld keys, expected %.0f\n", path.c_str(),
                   static_cast<long>(loaded->dbsize()), keys);
      std::exit(1);
    }
  };
  for (int r = 0; r < rounds; ++r) {
    progress("rdb: write", r, rounds);
    uint64_t ignored;
    write_rdb.push_back(timed_save(rdb_path, true, &rdb_bytes));
    write_snap.push_back(timed_save(snap_path, false, &snap_bytes));
    save_rdb.push_back(timed_save(disk_rdb, true, &ignored));
    save_snap.push_back(timed_save(disk_snap, false, &ignored));
    ::unlink(disk_rdb.c_str());
    ::unlink(disk_snap.c_str());
    progress("rdb: load", r, rounds);
    timed_load(rdb_path, &load_ours, &mem_rdb);
    timed_load(snap_path, &load_snap, &mem_snap);
    progress("rdb: redis-server load", r, rounds);
    const RedisLoad rl = redis_load(ram_dir, rdb_file);
    load_redis.push_back(rl.seconds);
    redis_wall.push_back(rl.wall_seconds);
    redis_keys = rl.keys;
  }
  done_progress();
  ::unlink(rdb_path.c_str());
  ::unlink(snap_path.c_str());
  std::printf("%-16s %.0f keys; RDB %.1f MB, our snapshot %.1f MB (files in %s); redis-server "
              "loaded %llu keys (%.2f s from its start, median)\n",
              "rdb", keys, static_cast<double>(rdb_bytes) / 1e6,
              static_cast<double>(snap_bytes) / 1e6, ram_dir.c_str(),
              static_cast<unsigned long long>(redis_keys), median(redis_wall));
  report("rdb", "write RDB / snapshot (RAM), MB/s", "MB/s", write_rdb, write_snap, false);
  report("rdb", "save RDB / snapshot (disk, fsync), MB/s", "MB/s", save_rdb, save_snap, false);
  report("rdb", "load RDB: hashstore / redis-server, s", "s", load_ours, load_redis, true);
  report("rdb", "load: RDB / our snapshot, s", "s", load_ours, load_snap, true);
  report("rdb", "memory after load: RDB / snapshot, B/key", "B/key", mem_rdb, mem_snap, true);
}

}  // namespace bench
