// hashstore-bench workload `persist`: Store::save and Store::load of a large
// store (--persist-mb=N of field and value bytes, default 1024), in MB/s of
// file, and the pause each shard sees while a save captures it.
//
// The store: 85% of the bytes in small hashes "s:N" (10 fields "fieldK" ->
// 40-byte values: listpacks), 15% in large ones "t:N" (1000 fields "f:N" ->
// 100-byte values: tables). Default Options (shards = 4 per core). A save
// goes to $TMPDIR (or /tmp) and includes its fsyncs; a load reads the file
// just written (from the page cache) into a fresh Store.
//
// The baseline is the same data in the nested flat_hash_map keyspace,
// dumped the simplest way (key, field count, then length-prefixed fields and
// values; no checksum) with write() in 1 MiB chunks and fsync, and read back
// into fresh maps. Its pause is the whole dump: with one mutex over the
// keyspace, every writer waits while it runs. Ours is the longest time one
// shard's lock is held (shared: only that shard's writers wait).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

size_t g_persist_mb = 1024;

namespace {

constexpr size_t kSmallFields = 10, kSmallValue = 40;
constexpr size_t kLargeFields = 1000, kLargeValue = 100;

std::string value_of(size_t i, size_t len) {
  std::string v(len, 'a');
  for (size_t k = 0; k < len && i > 0; ++k, i /= 26) v[k] = static_cast<char>('a' + i % 26);
  return v;
}

// Calls add(key, fields) for every hash of the data set.
template <class F>
void for_each_hash(size_t target_bytes, F&& add) {
  std::vector<std::pair<std::string, std::string>> fields;
  const size_t small_bytes = target_bytes * 85 / 100;
  size_t bytes = 0;
  for (size_t n = 0; bytes < small_bytes; ++n) {
    fields.clear();
    for (size_t k = 0; k < kSmallFields; ++k) {
      fields.emplace_back("field" + std::to_string(k), value_of(n * kSmallFields + k, kSmallValue));
      bytes += fields.back().first.size() + kSmallValue;
    }
    add("s:" + std::to_string(n), fields);
  }
  for (size_t n = 0; bytes < target_bytes; ++n) {
    fields.clear();
    for (size_t k = 0; k < kLargeFields; ++k) {
      fields.emplace_back("f:" + std::to_string(k), value_of(n * kLargeFields + k, kLargeValue));
      bytes += fields.back().first.size() + kLargeValue;
    }
    add("t:" + std::to_string(n), fields);
  }
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---- The baseline's dump -------------------------------------------------------

void put(std::string* out, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  out->append(reinterpret_cast<const char*>(&n), 4);
  out->append(s);
}

bool baseline_save(const BaselineKeyspace& ks, const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  std::string buf;
  bool ok = true;
  auto flush = [&] {
    ok = ok && ::write(fd, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size());
    buf.clear();
  };
  for (const auto& [key, hash] : ks) {
    put(&buf, key);
    const uint32_t n = static_cast<uint32_t>(hash.size());
    buf.append(reinterpret_cast<const char*>(&n), 4);
    for (const auto& [f, v] : hash) {
      put(&buf, f);
      put(&buf, v);
    }
    if (buf.size() >= (size_t{1} << 20)) flush();
  }
  flush();
  ok = ok && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

bool baseline_load(BaselineKeyspace* ks, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  std::string data;
  char chunk[1 << 16];
  for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) data.append(chunk, static_cast<size_t>(n));
  ::close(fd);
  size_t p = 0;
  auto get = [&]() -> std::string_view {
    uint32_t n;
    std::memcpy(&n, data.data() + p, 4);
    std::string_view s(data.data() + p + 4, n);
    p += 4 + n;
    return s;
  };
  while (p < data.size()) {
    Baseline& h = (*ks)[std::string(get())];
    uint32_t n;
    std::memcpy(&n, data.data() + p, 4);
    p += 4;
    h.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      std::string f(get());
      h.emplace(std::move(f), std::string(get()));
    }
  }
  return true;
}

}  // namespace

void persist(int rounds) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const std::string ours_path = dir + "/hashstore-bench-persist.hss";
  const std::string theirs_path = dir + "/hashstore-bench-persist.baseline";
  const size_t target = g_persist_mb << 20;

  std::fprintf(stderr, "  persist: building %zu MB of hashes...", g_persist_mb);
  auto store = std::make_unique<hashstore::Store>();
  auto baseline = std::make_unique<BaselineKeyspace>();
  for_each_hash(target, [&](const std::string& key,
                            const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<hashstore::FieldValue> pairs;
    pairs.reserve(fields.size());
    Baseline& b = (*baseline)[key];
    for (const auto& [f, v] : fields) {
      pairs.emplace_back(f, v);
      b.emplace(f, v);
    }
    (void)store->hset(key, pairs);
  });
  done_progress();
  const int64_t keys = store->dbsize();

  std::vector<double> save_ours, save_theirs, load_ours, load_theirs, pause_ours, pause_theirs;
  std::vector<double> last_pauses;
  uint64_t file_bytes = 0, baseline_bytes = 0;
  for (int r = 0; r < rounds; ++r) {
    progress("persist: save", r, rounds);
    hashstore::Store::SaveStats stats;
    Clock::time_point t0 = Clock::now();
    if (absl::Status st = store->save(ours_path, &stats); !st.ok()) {
      std::fprintf(stderr, "save failed: %s\n", std::string(st.message()).c_str());
      std::exit(1);
    }
    const double s_ours = seconds_since(t0);
    file_bytes = stats.bytes;
    save_ours.push_back(static_cast<double>(file_bytes) / 1e6 / s_ours);
    pause_ours.push_back(*std::max_element(stats.shard_pause_ms.begin(), stats.shard_pause_ms.end()));
    last_pauses = stats.shard_pause_ms;

    t0 = Clock::now();
    if (!baseline_save(*baseline, theirs_path)) {
      std::perror(theirs_path.c_str());
      std::exit(1);
    }
    const double s_theirs = seconds_since(t0);
    FILE* f = std::fopen(theirs_path.c_str(), "rb");
    std::fseek(f, 0, SEEK_END);
    baseline_bytes = static_cast<uint64_t>(std::ftell(f));
    std::fclose(f);
    save_theirs.push_back(static_cast<double>(baseline_bytes) / 1e6 / s_theirs);
    pause_theirs.push_back(s_theirs * 1000);

    progress("persist: load", r, rounds);
    {
      auto loaded = std::make_unique<hashstore::Store>();
      t0 = Clock::now();
      if (absl::Status st = loaded->load(ours_path); !st.ok()) {
        std::fprintf(stderr, "load failed: %s\n", std::string(st.message()).c_str());
        std::exit(1);
      }
      load_ours.push_back(static_cast<double>(file_bytes) / 1e6 / seconds_since(t0));
      if (loaded->dbsize() != keys) {
        std::fprintf(stderr, "load: %ld keys, expected %ld\n", static_cast<long>(loaded->dbsize()),
                     static_cast<long>(keys));
        std::exit(1);
      }
    }
    {
      auto loaded = std::make_unique<BaselineKeyspace>();
      t0 = Clock::now();
      baseline_load(loaded.get(), theirs_path);
      load_theirs.push_back(static_cast<double>(baseline_bytes) / 1e6 / seconds_since(t0));
    }
  }
  done_progress();
  ::unlink(ours_path.c_str());
  ::unlink(theirs_path.c_str());
  std::printf("%-16s %ld keys, snapshot %.1f MB (baseline dump %.1f MB), %zu shards\n", "persist",
              static_cast<long>(keys), static_cast<double>(file_bytes) / 1e6,
              static_cast<double>(baseline_bytes) / 1e6, last_pauses.size());
  report("persist", "save (incl. fsync), MB/s of file", "MB/s", save_ours, save_theirs, false);
  report("persist", "load, MB/s of file", "MB/s", load_ours, load_theirs, false);
  report("persist", "pause: longest shard / whole dump", "ms", pause_ours, pause_theirs, true);
  std::printf("%-16s %-38s", "persist", "pause per shard, last round (ms)");
  for (double p : last_pauses) std::printf(" %.0f", p);
  std::printf("\n");
}

}  // namespace bench
