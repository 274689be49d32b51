// The append-only log (lib/persist/aof_*): records replayed against a
// reference Store, torn tails and bit flips, CONFIG and INFO, writes refused
// after a failed write or fsync (through injected file calls), rewrite.
// The kill -9 tests are in aof_crash_test.cc.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "persist/aof_log.h"
#include "persist/aof_reader.h"
#include "persist/aof_records.h"
#include "persist/persist_state.h"
#include "aof_options.h"
#include "scratch_dir.h"
#include "store/store_internal.h"
#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"

using hashstore::Options;
using hashstore::Reply;
using hashstore::Store;
namespace aof = hashstore::internal::aof;

namespace {

ScratchDir& scratch() {
  static ScratchDir dir("aof_test");
  return dir;
}

// A fresh directory for one test case.
std::string fresh_dir(const std::string& name) {
  const std::string d = scratch().path() + "/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

std::unique_ptr<Store> open_ok(const Options& o, hashstore::LoadStats* stats = nullptr) {
  absl::StatusOr<std::unique_ptr<Store>> s = Store::open(o, stats);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(*s);
}

// Everything observable about the keyspace but encodings (a replayed hash
// may be a listpack where the original, once converted, stayed a table).
using Image = std::map<std::string, std::pair<int64_t, std::map<std::string, std::pair<std::string, int64_t>>>>;

Image image_of(Store& s) {
  Image out;
  for (const std::string& k : s.keys("*")) {
    auto& [ttl, fields] = out[k];
    ttl = s.pexpiretime(k);
    for (const auto& [f, v] : s.hgetall(k)) {
      const std::string_view one[] = {f};
      fields[f] = {v, s.hpexpiretime(k, one)[0]};
    }
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A random stream of the writes the log must carry.
std::vector<std::vector<std::string>> random_commands(uint64_t seed, size_t n, int64_t now_ms) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t k) { return rng() % k; };
  auto key = [&] { return absl::StrCat("k", pick(12)); };
  auto field = [&] { return absl::StrCat("f", pick(20)); };
  auto value = [&]() -> std::string {
    switch (pick(4)) {
      case 0: return std::to_string(pick(1000));
      case 1: return std::string(pick(90), 'v');  // past the listpack value limit sometimes
      default: return absl::StrCat("val", pick(100));
    }
  };
  const std::string far = std::to_string(now_ms + 100000000);
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < n; ++i) {
    switch (pick(16)) {
      case 0: case 1: case 2:
        out.push_back({"HSET", key(), field(), value(), field(), value()});
        break;
      case 3: out.push_back({"HDEL", key(), field(), field()}); break;
      case 4: out.push_back({"HINCRBY", key(), absl::StrCat("n", pick(3)), std::to_string(pick(10))}); break;
      case 5: out.push_back({"HINCRBYFLOAT", key(), "x", "0.25"}); break;
      case 6: out.push_back({"HPEXPIREAT", key(), far, "FIELDS", "1", field()}); break;
      case 7: out.push_back({"HPERSIST", key(), "FIELDS", "1", field()}); break;
      case 8: out.push_back({"PEXPIREAT", key(), far}); break;
      case 9: out.push_back({"PERSIST", key()}); break;
      case 10: out.push_back({"DEL", key()}); break;
      case 11: out.push_back({"RENAME", key(), key()}); break;
      case 12: out.push_back({"COPY", key(), key(), "REPLACE"}); break;
      case 13: out.push_back({"HSETEX", key(), "PXAT", far, "FIELDS", "1", field(), value()}); break;
      case 14: out.push_back({"HGETDEL", key(), "FIELDS", "1", field()}); break;
      case 15:
        // Times in the past delete at once; FLUSHALL now and then.
        if (pick(8) == 0) {
          out.push_back({"FLUSHALL"});
        } else {
          out.push_back({"HPEXPIREAT", key(), "1", "FIELDS", "1", field()});
        }
        break;
    }
  }
  return out;
}

void run(Store& s, const std::vector<std::string>& cmd) {
  std::vector<std::string_view> args(cmd.begin(), cmd.end());
  s.execute(args);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("aof: replay gives the keyspace of a Store without a log") {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    const std::string dir = fresh_dir(absl::StrCat("replay", seed));
    const auto cmds = random_commands(seed, 1500, now_ms());
    Store reference;
    Image logged;
    {
      std::unique_ptr<Store> s = open_ok(aof_options(dir));
      for (const auto& c : cmds) {
        run(*s, c);
        run(reference, c);
      }
      logged = image_of(*s);
    }
    CHECK(logged == image_of(reference));
    CHECK(!logged.empty());
    hashstore::LoadStats stats;
    std::unique_ptr<Store> again = open_ok(aof_options(dir), &stats);
    CHECK(stats.aof_records > 0);
    CHECK(stats.aof_truncated == 0);
    CHECK(image_of(*again) == logged);
  }
}

TEST_CASE("aof: in-place writes log the field they wrote") {
  // HSET of a same-size value, HINCRBY and HRESERVE take the fast in-place
  // path with the log on (everysec, no): each logs the field and value it
  // wrote, with the key's TTL; a short HRESERVE writes and logs nothing.
  const std::string dir = fresh_dir("in_place");
  const int64_t far = now_ms() + 100000000;
  Image want;
  uint64_t records_before_short = 0;
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kEverysec));
    REQUIRE(s->hset("k", {{"a", "xx"}, {"n", "5"}, {"stock", "10"}}).ok());
    REQUIRE(s->pexpireat("k", far).ok());
    REQUIRE(s->hset("plain", "a", "11").ok());
    for (int i = 0; i < 50; ++i) {
      CHECK(s->hset("k", "a", absl::StrCat("y", i % 10)).ok());
      CHECK(s->hset("plain", "a", std::to_string(10 + i)).ok());
      CHECK(s->hincrby("k", "n", 3).ok());
    }
    absl::StatusOr<std::optional<int64_t>> left = s->reserve("k", "stock", 4);
    REQUIRE(left.ok());
    CHECK(*left == 6);
    auto& persist = hashstore::internal::StoreInternal::impl(*s).extension<hashstore::internal::PersistState>();
    REQUIRE(persist.aof().log()->flush_and_sync().ok());
    records_before_short = persist.aof().log()->current_size();
    left = s->reserve("k", "stock", 7);
    REQUIRE(left.ok());
    CHECK(!left->has_value());
    CHECK(persist.aof().log()->current_size() == records_before_short);
    want = image_of(*s);
  }
  hashstore::LoadStats stats;
  std::unique_ptr<Store> again = open_ok(aof_options(dir), &stats);
  CHECK(stats.aof_records >= 150);
  CHECK(image_of(*again) == want);
  CHECK(again->hget("k", "a") == "y9");
  CHECK(again->hget("k", "n") == "155");
  CHECK(again->hget("k", "stock") == "6");
  CHECK(again->hget("plain", "a") == "59");
  CHECK(again->pexpiretime("k") == far);
}

TEST_CASE("aof: a pipeline's in-place and general writes replay to the same state") {
  // Store::run with the log on: same-size HSETs, HINCRBYs and HRESERVEs
  // take the in-place path and log their field under the held shards; the
  // writes that change a size, create or delete (HSET of a longer value,
  // HDEL) take the general path, whose records are written when the shards
  // are released. Interleaved on the same keys and fields, the log must
  // still replay to the final state.
  const std::string dir = fresh_dir("pipeline_in_place");
  Image want;
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kEverysec));
    REQUIRE(s->hset("k", {{"a", "xx"}, {"n", "5"}, {"stock", "100"}}).ok());
    hashstore::Pipeline p;
    hashstore::PipelineReplies r;
    for (int round = 0; round < 20; ++round) {
      p.clear();
      for (int i = 0; i < 10; ++i) {
        p.hset("k", "a", absl::StrCat("y", i));                 // in place
        p.hincrby("k", "n", 2);                                 // in place
        p.hset(absl::StrCat("other", i), "a", absl::StrCat(round));  // new, then in place
        if (i % 3 == 0) p.hset("k", "a", std::string(3 + i, 'z'));  // longer: general
        if (i % 4 == 0) p.hdel("k", {"gone"});                  // general, no change
        p.reserve("k", "stock", 1);                            // in place
      }
      p.hdel("other3", {"a"});  // deletes the key: general, after its in-place writes
      s->run(p, r);
      REQUIRE(r.size() == p.size());
    }
    want = image_of(*s);
  }
  std::unique_ptr<Store> again = open_ok(aof_options(dir));
  CHECK(image_of(*again) == want);
  CHECK(again->hget("k", "a") == std::string(12, 'z'));  // each round ends with i = 9's longer value
  CHECK(again->hget("k", "n") == std::to_string(5 + 20 * 10 * 2));
  CHECK(again->hget("k", "stock") == "0");  // 100 taken one by one; the other 100 were short
  CHECK(again->exists({"other3"}) == 0);
  CHECK(again->hget("other4", "a") == "19");
}

TEST_CASE("aof: every write of the stream is logged as it is applied") {
  // The state after each prefix of the log equals the state after the same
  // prefix of commands: cut the file after record k, reload, compare.
  const std::string dir = fresh_dir("prefix");
  const auto cmds = random_commands(42, 120, now_ms());
  std::vector<Image> after;  // image after each command
  std::vector<uint64_t> size_after;
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kAlways));
    for (const auto& c : cmds) {
      run(*s, c);
      after.push_back(image_of(*s));
      size_after.push_back(std::filesystem::file_size(dir + "/appendonly.aof"));
    }
  }
  const std::string full = read_file(dir + "/appendonly.aof");
  for (size_t i = 0; i < cmds.size(); i += 7) {
    CAPTURE(i);
    const std::string cut_dir = fresh_dir("prefix_cut");
    write_file(cut_dir + "/appendonly.aof", full.substr(0, size_after[i]));
    std::unique_ptr<Store> s = open_ok(aof_options(cut_dir));
    CHECK(image_of(*s) == after[i]);
  }
}

TEST_CASE("aof: a torn tail is cut when aof-load-truncated, refused otherwise") {
  const std::string dir = fresh_dir("torn");
  uint64_t before_last = 0;
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kAlways));
    CHECK(s->hset("a", "f", "1").ok());
    CHECK(s->hset("b", "f", "2").ok());
    before_last = std::filesystem::file_size(dir + "/appendonly.aof");
    CHECK(s->hset("c", "field", "a longer value").ok());
  }
  const std::string full = read_file(dir + "/appendonly.aof");
  for (size_t cut = before_last + 1; cut < full.size(); ++cut) {
    CAPTURE(cut);
    const std::string d = fresh_dir("torn_cut");
    write_file(d + "/appendonly.aof", full.substr(0, cut));
    hashstore::LoadStats stats;
    std::unique_ptr<Store> s = open_ok(aof_options(d), &stats);
    CHECK(stats.aof_truncated == cut - before_last);
    CHECK(s->dbsize() == 2);
    CHECK(!s->exists({"c"}));
    // The cut tail is gone from the file: new writes follow the good records.
    CHECK(s->hset("d", "f", "4").ok());
    s.reset();
    CHECK(std::filesystem::file_size(d + "/appendonly.aof") > before_last);
    std::unique_ptr<Store> t = open_ok(aof_options(d), &stats);
    CHECK(stats.aof_truncated == 0);
    CHECK(t->dbsize() == 3);

    Options strict = aof_options(fresh_dir("torn_strict"));
    write_file(strict.dir + "/appendonly.aof", full.substr(0, cut));
    strict.aof_load_truncated = false;
    absl::StatusOr<std::unique_ptr<Store>> refused = Store::open(strict);
    REQUIRE(!refused.ok());
    CHECK(std::string(refused.status().message()).find(absl::StrCat(
              "truncated at offset ", before_last, " after 2 records")) != std::string::npos);
  }
  SUBCASE("zero bytes after the last record (a file grown, not written) are a torn tail") {
    const std::string d = fresh_dir("torn_zeros");
    write_file(d + "/appendonly.aof", full + std::string(100, '\0'));
    hashstore::LoadStats stats;
    std::unique_ptr<Store> s = open_ok(aof_options(d), &stats);
    CHECK(stats.aof_truncated == 100);
    CHECK(s->dbsize() == 3);
  }
}

TEST_CASE("aof: a bad record before the tail refuses the file with its offset") {
  const std::string dir = fresh_dir("bad");
  std::vector<uint64_t> ends;
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kAlways));
    for (int i = 0; i < 4; ++i) {
      CHECK(s->hset(absl::StrCat("k", i), "f", absl::StrCat("v", i)).ok());
      ends.push_back(std::filesystem::file_size(dir + "/appendonly.aof"));
    }
  }
  const std::string full = read_file(dir + "/appendonly.aof");
  // Every bit of the file flipped in turn: the load is refused (naming an
  // offset), or cut at the last record, or — a flip in the header — refused;
  // it never loads something else.
  for (size_t byte = 0; byte < full.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = full;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      const std::string d = fresh_dir("bad_flip");
      write_file(d + "/appendonly.aof", bad);
      Options o = aof_options(d);
      absl::StatusOr<std::unique_ptr<Store>> s = Store::open(o);
      INFO("byte ", byte, " bit ", bit);
      if (byte >= ends[2] && s.ok()) {
        // In the last record's payload: a torn tail, cut off.
        CHECK((*s)->dbsize() == 3);
        CHECK(!(*s)->exists({"k3"}));
        continue;
      }
      REQUIRE(!s.ok());
      const std::string msg(s.status().message());
      CHECK(msg.find("Bad file format reading the append only file") != std::string::npos);
      if (byte >= aof::kHeaderSize) {
        // The record holding the flip, and how many come before it.
        size_t k = 0;
        uint64_t start = aof::kHeaderSize;
        while (byte >= ends[k]) start = ends[k++];
        CHECK(msg.find(absl::StrCat("at offset ", start, " after ", k, " records")) !=
              std::string::npos);
      }
    }
  }
}

TEST_CASE("aof: scan_log checks payloads before use") {
  // Hand-built records with a good frame but a bad payload.
  auto frame = [](aof::RecordType type, const std::string& payload) {
    std::string out = aof::file_header();
    aof::append_record(&out, type, [&](std::string* o) { o->append(payload); });
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {frame(aof::kDel, ""), "DEL key overruns"},
      {frame(aof::kDel, std::string("\x05" "ab", 3)), "DEL key overruns"},
      {frame(aof::kFlushAll, "x"), "FLUSHALL with a payload"},
      {frame(static_cast<aof::RecordType>(9), ""), "unknown type 9"},
      {frame(aof::kHash, std::string("\x80\x01k\x00", 4)), "unknown key flags"},
      {frame(aof::kHash, std::string("\x00\x01k\xff\xff\xff\xff\x0f", 8)), "field count larger"},
      {frame(aof::kHash, std::string("\x00\x01k\x01\x02\x01" "f", 7)), "TTL of an absent field"},
      {frame(aof::kHash, std::string("\x01\x01k\x00", 4)), "replaced key with no field"},
  };
  for (const auto& [bytes, want] : cases) {
    CAPTURE(want);
    absl::StatusOr<aof::ScanResult> r =
        aof::scan_log(bytes, true, [](const aof::Record&) { return absl::OkStatus(); });
    REQUIRE(!r.ok());
    CHECK(std::string(r.status().message()).find(want) != std::string::npos);
    CHECK(std::string(r.status().message()).find("at offset 24 after 0 records") != std::string::npos);
  }
  SUBCASE("another version is refused by name") {
    std::string h = aof::file_header();
    h[8] = 2;
    absl::StatusOr<aof::ScanResult> r =
        aof::scan_log(h, true, [](const aof::Record&) { return absl::OkStatus(); });
    REQUIRE(!r.ok());  // the header checksum no longer matches either
  }
}

TEST_CASE("aof: CONFIG GET and SET of the log's parameters") {
  const std::string dir = fresh_dir("config");
  Store s;
  run(s, {"CONFIG", "SET", "dir", dir});
  auto get = [&](const std::string& name) {
    const std::string_view args[] = {"CONFIG", "GET", name};
    return s.execute(args).debug_string();
  };
  CHECK(get("appendonly").find("no") != std::string::npos);
  CHECK(get("appendfsync").find("everysec") != std::string::npos);
  CHECK(get("appendfilename").find("appendonly.aof") != std::string::npos);
  CHECK(get("aof-load-truncated").find("yes") != std::string::npos);
  CHECK(get("auto-aof-rewrite-percentage").find("100") != std::string::npos);
  CHECK(get("auto-aof-rewrite-min-size").find("67108864") != std::string::npos);
  auto set = [&](const std::string& name, const std::string& v) {
    const std::string_view args[] = {"CONFIG", "SET", name, v};
    return s.execute(args).debug_string();
  };
  CHECK(set("appendfsync", "sometimes").find("must be one of the following: always, everysec, no") !=
        std::string::npos);
  CHECK(set("appendonly", "maybe").find("'yes' or 'no'") != std::string::npos);
  CHECK(set("appendfilename", "../x").find("can't be a path") != std::string::npos);
  CHECK(set("auto-aof-rewrite-min-size", "12q").find("memory value") != std::string::npos);
  CHECK(set("auto-aof-rewrite-min-size", "1mb") == "OK");
  CHECK(get("auto-aof-rewrite-min-size").find("1048576") != std::string::npos);
  CHECK(set("appendfilename", "my.aof") == "OK");
  CHECK(set("appendfsync", "ALWAYS") == "OK");
  CHECK(get("appendfsync").find("always") != std::string::npos);

  // Writes before the log is on are in it: appendonly yes writes the
  // keyspace first.
  CHECK(s.hset("before", {{"a", "1"}, {"b", "2"}}).ok());
  CHECK(s.pexpireat("before", now_ms() + 10000000).ok());
  CHECK(set("appendonly", "yes") == "OK");
  CHECK(set("appendfilename", "other.aof").find("while appendonly is yes") != std::string::npos);
  CHECK(s.hset("after", "f", "v").ok());
  const std::string_view info_args[] = {"INFO", "persistence"};
  const std::string info = s.execute(info_args).debug_string();
  CHECK(info.find("aof_enabled:1") != std::string::npos);
  CHECK(info.find("aof_last_write_status:ok") != std::string::npos);
  CHECK(info.find("aof_current_size:") != std::string::npos);
  CHECK(info.find("aof_base_size:") != std::string::npos);
  CHECK(info.find("aof_rewrite_in_progress:0") != std::string::npos);
  const Image want = image_of(s);
  CHECK(set("appendonly", "no") == "OK");
  CHECK(s.hset("not-logged", "f", "v").ok());

  Options o = aof_options(dir);
  o.appendfilename = "my.aof";
  std::unique_ptr<Store> again = open_ok(o);
  CHECK(image_of(*again) == want);
}

TEST_CASE("aof: keys loaded by Store::load while the log is on are in the log") {
  const std::string dir = fresh_dir("load_while_on");
  {
    Store s;
    CHECK(s.hset("loaded", {{"a", "1"}}).ok());
    REQUIRE(s.save(dir + "/other.hss").ok());
  }
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir));
    REQUIRE(s->load(dir + "/other.hss").ok());
    CHECK(s->hset("after", "b", "2").ok());
  }
  std::unique_ptr<Store> s = open_ok(aof_options(dir));
  CHECK(s->hget("loaded", "a") == "1");
  CHECK(s->hget("after", "b") == "2");
}

TEST_CASE("aof: Store::open loads the snapshot when there is no log yet") {
  const std::string dir = fresh_dir("from_snapshot");
  {
    Store s;
    CHECK(s.hset("x", {{"a", "1"}}).ok());
    REQUIRE(s.save(dir + "/dump.hss").ok());
  }
  {
    std::unique_ptr<Store> s = open_ok(aof_options(dir));
    CHECK(s->hget("x", "a") == "1");
    CHECK(s->hset("y", "b", "2").ok());
  }
  std::filesystem::remove(dir + "/dump.hss");
  std::unique_ptr<Store> s = open_ok(aof_options(dir));
  CHECK(s->hget("x", "a") == "1");
  CHECK(s->hget("y", "b") == "2");
}

namespace {

// File calls that fail on demand with a chosen errno.
std::atomic<int> g_write_errno{0};
std::atomic<int> g_sync_errno{0};
long failing_write(int fd, const void* data, size_t n) {
  if (const int e = g_write_errno.load()) {
    // A short write first, then the error: the file must be cut back.
    if (n > 1 && e != EIO) {
      const long w = ::write(fd, data, n / 2);
      (void)w;
    }
    errno = e;
    return -1;
  }
  return ::write(fd, data, n);
}
int failing_sync(int fd) {
  if (const int e = g_sync_errno.load()) {
    errno = e;
    return -1;
  }
  return ::fdatasync(fd);
}
int plain_truncate(int fd, long size) { return ::ftruncate(fd, size); }
const aof::LogFileOps kFailingOps{failing_write, failing_sync, plain_truncate};

// Opens a new log at path (appendfsync always) that makes its file calls
// through ops, and attaches it to s.
std::unique_ptr<aof::AofLog> attach_log(Store& s, const std::string& path,
                                        const aof::LogFileOps& ops) {
  hashstore::internal::StoreImpl& impl = hashstore::internal::StoreInternal::impl(s);
  absl::StatusOr<std::unique_ptr<aof::AofLog>> log =
      aof::AofLog::open(impl, path, 0, aof::Fsync::kAlways, ops);
  REQUIRE(log.ok());
  aof::AofLog* const l = log->get();
  impl.set_change_log([l]() -> hashstore::internal::ChangeLog* { return l; });
  return std::move(*log);
}

// Detaches log from s and closes it (what it buffered is written and synced).
void detach_log(Store& s, aof::AofLog& log) {
  hashstore::internal::StoreInternal::impl(s).set_change_log(
      []() -> hashstore::internal::ChangeLog* { return nullptr; });
  log.close();
}

}  // namespace

TEST_CASE("aof: a failed write or fsync refuses writes until the log is healthy") {
  const std::string dir = fresh_dir("faults");
  const std::string path = dir + "/appendonly.aof";
  Store s;
  const std::unique_ptr<aof::AofLog> log = attach_log(s, path, kFailingOps);
  aof::AofLog* l = log.get();
  CHECK(s.hset("a", "f", "1").ok());

  for (int err : {ENOSPC, EIO}) {
    CAPTURE(err);
    SUBCASE("write") { g_write_errno = err; }
    SUBCASE("fsync") { g_sync_errno = err; }
    // This write is applied in memory; its append fails, and from now on
    // writes are refused with MISCONF while reads go on.
    CHECK(s.hset("b", "f", "2").ok());
    CHECK(!l->last_write_ok());
    absl::StatusOr<int64_t> refused = s.hset("c", "f", "3");
    REQUIRE(!refused.ok());
    CHECK(std::string(refused.status().message()).rfind("MISCONF Errors writing to the AOF file", 0) == 0);
    const std::string_view del[] = {"DEL", "a"};
    CHECK(s.execute(del).debug_string().find("(error) MISCONF") == 0);
    CHECK(s.exists({"a"}) == 1);
    CHECK(s.hget("a", "f") == "1");
    // The disk recovers: the background retry writes what was kept.
    g_write_errno = 0;
    g_sync_errno = 0;
    for (int i = 0; i < 400 && !l->last_write_ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(l->last_write_ok());
    CHECK(s.hset("c", "f", "3").ok());
    detach_log(s, *l);
    // The file holds every write, whole: a, b, c.
    Store check;
    absl::StatusOr<aof::ScanResult> r = aof::load_log_file(check, path, /*load_truncated=*/false);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(check.hget("a", "f") == "1");
    CHECK(check.hget("b", "f") == "2");
    CHECK(check.hget("c", "f") == "3");
    break;
  }
}

namespace {

// File calls that keep what each fdatasync made durable: after a sync, the
// file's whole content as it was then (the test's files are small).
std::mutex g_durable_mu;
std::string g_durable;             // guarded by g_durable_mu
std::atomic<int64_t> g_syncs{0};
long plain_write(int fd, const void* data, size_t n) { return ::write(fd, data, n); }
int imaging_sync(int fd) {
  if (::fdatasync(fd) != 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0) return -1;
  // The log's descriptor is write-only: read the file through another.
  const int rd = ::open(absl::StrCat("/proc/self/fd/", fd).c_str(), O_RDONLY | O_CLOEXEC);
  if (rd < 0) return -1;
  std::string image(static_cast<size_t>(st.st_size), '\0');
  const ssize_t got = ::pread(rd, image.data(), image.size(), 0);
  ::close(rd);
  if (got != static_cast<ssize_t>(image.size())) return -1;
  std::lock_guard<std::mutex> l(g_durable_mu);
  g_durable = std::move(image);
  g_syncs.fetch_add(1);
  return 0;
}
const aof::LogFileOps kImagingOps{plain_write, imaging_sync, plain_truncate};

}  // namespace

TEST_CASE("aof: appendfsync always returns a write only once a sync covers it, under many threads") {
  // 8 and 16 writers: groups form, and with 16 a leader that saw 4 or more
  // appends during its sync syncs them at once (the chained sync). Every
  // HSET's value is unique; once hset() returns, the file as the last
  // fdatasync left it must hold that value.
  for (const int threads : {8, 16}) {
    CAPTURE(threads);
    const std::string dir = fresh_dir(absl::StrCat("always", threads));
    const std::string path = dir + "/appendonly.aof";
    {
      std::lock_guard<std::mutex> l(g_durable_mu);
      g_durable.clear();
    }
    g_syncs = 0;
    Store s;
    const std::unique_ptr<aof::AofLog> log = attach_log(s, path, kImagingOps);
    constexpr int kWrites = 60;
    std::atomic<int> failed{0}, not_durable{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < kWrites; ++i) {
          const std::string value = absl::StrCat("v:", t, ":", 100000 + i);
          if (!s.hset(absl::StrCat("t", t), absl::StrCat("f", i % 4), value).ok()) ++failed;
          std::lock_guard<std::mutex> g(g_durable_mu);
          if (g_durable.find(value) == std::string::npos) ++not_durable;
        }
      });
    }
    for (auto& w : writers) w.join();
    CHECK(failed == 0);
    CHECK(not_durable == 0);
    const int64_t writes = int64_t{threads} * kWrites;
    MESSAGE(threads, " threads: ", writes, " writes, ", g_syncs.load(), " fdatasyncs");
    detach_log(s, *log);
    Store check;
    absl::StatusOr<aof::ScanResult> r = aof::load_log_file(check, path, /*load_truncated=*/false);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(image_of(check) == image_of(s));
  }
}

TEST_CASE("aof: BGREWRITEAOF while writers go on loses and duplicates nothing") {
  const std::string dir = fresh_dir("rewrite");
  const std::string path = dir + "/appendonly.aof";
  std::unique_ptr<Store> s = open_ok(aof_options(dir, hashstore::AppendFsync::kEverysec));
  // History the rewrite compacts away.
  for (int i = 0; i < 2000; ++i) CHECK(s->hset("hot", "n", std::to_string(i)).ok());
  for (int i = 0; i < 200; ++i) CHECK(s->hset(absl::StrCat("gone", i), "f", "v").ok());
  for (int i = 0; i < 200; ++i) s->del({absl::StrCat("gone", i)});
  auto& persist = hashstore::internal::StoreInternal::impl(*s).extension<hashstore::internal::PersistState>();
  const uint64_t before = persist.aof().log()->current_size();
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int64_t i = 0; !stop.load(); ++i) {
        const std::string key = absl::StrCat("w", t) + absl::StrCat(":", i % 50);
        CHECK(s->hincrby(key, "n", 1).ok());
        if (i % 7 == 0) s->del({absl::StrCat("w", t) + absl::StrCat(":", (i * 13) % 50)});
      }
    });
  }
  for (int round = 0; round < 3; ++round) {
    CHECK(s->bgrewriteaof().ok());
    CHECK(persist.aof().wait_rewrite().ok());
  }
  stop = true;
  for (auto& w : writers) w.join();
  const Image want = image_of(*s);
  // Once writes stop, a rewrite leaves only the keyspace: the history is gone.
  const uint64_t grown = persist.aof().log()->current_size();
  CHECK(s->bgrewriteaof().ok());
  CHECK(persist.aof().wait_rewrite().ok());
  const std::string_view info[] = {"INFO", "persistence"};
  const std::string text = s->execute(info).debug_string();
  CHECK(text.find("aof_rewrites:4") != std::string::npos);
  CHECK(text.find("aof_last_bgrewrite_status:ok") != std::string::npos);
  s.reset();
  CHECK(std::filesystem::file_size(path) < before);
  CHECK(std::filesystem::file_size(path) < grown);
  std::unique_ptr<Store> again = open_ok(aof_options(dir));
  CHECK(image_of(*again) == want);
  CHECK(again->hget("hot", "n") == "1999");
  CHECK(!again->exists({"gone0"}));
}

TEST_CASE("aof: automatic rewrite by auto-aof-rewrite-percentage and -min-size") {
  const std::string dir = fresh_dir("auto");
  Options o = aof_options(dir);
  o.auto_aof_rewrite_percentage = 50;
  o.auto_aof_rewrite_min_size = 20000;
  std::unique_ptr<Store> s = open_ok(o);
  for (int i = 0; i < 3000; ++i) CHECK(s->hset("k", "n", std::to_string(i)).ok());
  const std::string_view info[] = {"INFO", "persistence"};
  bool rewritten = false;
  for (int i = 0; i < 400 && !rewritten; ++i) {
    rewritten = s->execute(info).debug_string().find("aof_rewrites:0") == std::string::npos;
    if (!rewritten) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(rewritten);
  s.reset();
  std::unique_ptr<Store> again = open_ok(aof_options(dir));
  CHECK(again->hget("k", "n") == "2999");
}
