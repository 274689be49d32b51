// Tests for SAVE, BGSAVE, LASTSAVE, CONFIG dir / dbfilename
// (lib/command/persist_cmds.cc, server_cmds.cc), the RESP export
// (lib/persist/resp_export.cc), saves racing writers, and a save killed at
// random points (a child process killed by its PID) leaving the previous
// snapshot loadable.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "scratch_dir.h"

namespace {

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Reply;
using hashstore::Store;

constexpr int64_t kT0 = 1700000000000;

// Removed with its files when the program exits.
const std::string& temp_dir() {
  static const ScratchDir dir("hs_persist_cmds_test");
  return dir.path();
}

Options opts(ManualClock* clock) {
  Options o;
  o.clock = clock;
  o.shards = 4;
  return o;
}

std::string export_of(Store& s) {
  std::string out;
  REQUIRE(s.export_resp([&](std::string_view chunk) {
               out.append(chunk);
               return absl::OkStatus();
             })
              .ok());
  return out;
}

}  // namespace

TEST_CASE("SAVE, BGSAVE, LASTSAVE and CONFIG dir / dbfilename") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  const std::string dir = temp_dir();
  SUBCASE("CONFIG") {
    CHECK(s.execute({"CONFIG", "GET", "dbfilename"}).elements()[1].string() == "dump.hss");
    CHECK(s.execute({"CONFIG", "SET", "dir", dir}).string() == "OK");
    CHECK(s.execute({"CONFIG", "GET", "dir"}).elements()[1].string() ==
          std::filesystem::canonical(dir).string());
    CHECK(s.execute({"CONFIG", "SET", "dir", dir + "/nope"}).string() ==
          "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or "
          "directory");
    CHECK(s.execute({"CONFIG", "SET", "dbfilename", "a/b"}).string() ==
          "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename "
          "can't be a path, just a filename");
    // All or nothing: a bad dir leaves the number unchanged too.
    CHECK(s.execute({"CONFIG", "SET", "hash-max-listpack-entries", "7", "dir", "/nope/x"})
              .is_error());
    CHECK(s.execute({"CONFIG", "GET", "hash-max-listpack-entries"}).elements()[1].string() ==
          "512");
    const Reply all = s.execute({"CONFIG", "GET", "d*"});
    CHECK(all.elements().size() == 4);  // dir and dbfilename
  }
  SUBCASE("SAVE writes dir/dbfilename; LASTSAVE moves") {
    REQUIRE(s.execute({"CONFIG", "SET", "dir", dir, "dbfilename", "cmd.hss"}).string() == "OK");
    CHECK(s.execute({"LASTSAVE"}).integer() == kT0 / 1000);
    REQUIRE(s.hset("k", "f", "v").ok());
    clock.advance_ms(5000);
    CHECK(s.execute({"SAVE"}).string() == "OK");
    CHECK(s.execute({"LASTSAVE"}).integer() == kT0 / 1000 + 5);
    CHECK(s.lastsave() == kT0 / 1000 + 5);
    Store t(opts(&clock));
    REQUIRE(t.load(dir + "/cmd.hss").ok());
    CHECK(t.hget("k", "f") == "v");
    CHECK(s.execute({"SAVE", "x"}).string() ==
          "ERR wrong number of arguments for 'save' command");
  }
  SUBCASE("BGSAVE") {
    REQUIRE(s.execute({"CONFIG", "SET", "dir", dir, "dbfilename", "bg.hss"}).string() == "OK");
    for (int i = 0; i < 2000; ++i) REQUIRE(s.hset(absl::StrCat("k", i), "f", "v").ok());
    clock.advance_ms(7000);
    const Reply r = s.execute({"BGSAVE"});
    CHECK(r.string() == "Background saving started");
    // A second one, or SAVE, while it runs is refused (it may be done already).
    const Reply again = s.execute({"BGSAVE", "SCHEDULE"});
    if (again.is_error()) CHECK(again.string() == "ERR Background save already in progress");
    CHECK(s.wait_bgsave().ok());
    CHECK(!s.bgsave_in_progress());
    CHECK(s.execute({"LASTSAVE"}).integer() == kT0 / 1000 + 7);
    CHECK(s.execute({"BGSAVE", "NOW"}).string() == "ERR syntax error");
    Store t(opts(&clock));
    REQUIRE(t.load(dir + "/bg.hss").ok());
    CHECK(t.dbsize() == 2000);
  }
  SUBCASE("a save that cannot write says why and replaces nothing") {
    REQUIRE(s.hset("k", "f", "v").ok());
    const absl::Status st = s.save(dir + "/no/such/dir/x.hss");
    CHECK(!st.ok());
    CHECK(std::string(st.message()).find("No such file or directory") != std::string::npos);
    CHECK(s.lastsave() == kT0 / 1000);
  }
  SUBCASE("BGSAVE needs a thread-safe Store") {
    Options o = opts(&clock);
    o.thread_safe = false;
    Store single(o);
    CHECK(single.bgsave(dir + "/x.hss").code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("Store::export_resp") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  SUBCASE("HSET, then PEXPIREAT, then HPEXPIREAT per field TTL") {
    REQUIRE(s.hset("k", {{"a", "1"}, {"b", "x y"}}).ok());
    REQUIRE(s.pexpireat("k", kT0 + 9000).ok());
    const std::vector<std::string_view> a = {"a"};
    REQUIRE(s.hpexpireat("k", kT0 + 5000, a).ok());
    CHECK(export_of(s) ==
          "*6\r\n$4\r\nHSET\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\nx y\r\n"
          "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000009000\r\n"
          "*6\r\n$10\r\nHPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000005000\r\n$6\r\nFIELDS\r\n"
          "$1\r\n1\r\n$1\r\na\r\n");
  }
  SUBCASE("a table hash with field TTLs; expired fields and keys are left out") {
    for (int i = 0; i < 600; ++i) REQUIRE(s.hset("big", absl::StrCat("f", i), "v").ok());
    const std::vector<std::string_view> f = {"f1", "f2"};
    REQUIRE(s.hpexpireat("big", kT0 + 5000, f).ok());
    const std::vector<std::string_view> f3 = {"f3"};
    REQUIRE(s.hpexpireat("big", kT0 + 100, f3).ok());
    REQUIRE(s.hset("dead", "f", "v").ok());
    REQUIRE(s.pexpireat("dead", kT0 + 100).ok());
    clock.advance_ms(200);
    const std::string out = export_of(s);
    auto count = [&](std::string_view what) {
      size_t n = 0;
      for (size_t p = out.find(what); p != std::string::npos; p = out.find(what, p + 1)) ++n;
      return n;
    };
    CHECK(count("HPEXPIREAT") == 2);
    CHECK(count("$4\r\nHSET\r\n$3\r\nbig\r\n") == 1);  // 599 fields, one command
    CHECK(count("\r\nf3\r\n") == 0);
    CHECK(count("dead") == 0);
  }
}

TEST_CASE("Store::save while other threads write") {
  Store s;  // the system clock; no TTLs involved
  const std::string path = temp_dir() + "/busy.hss";
  for (int i = 0; i < 2000; ++i) REQUIRE(s.hset(absl::StrCat("k", i), "n", "0").ok());
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(t));
      while (!stop.load()) {
        const std::string key = absl::StrCat("k", rng() % 2000);
        (void)s.hincrby(key, "n", 1);
        (void)s.hset(absl::StrCat("new", t, ":", rng() % 500), "f", "v");
      }
    });
  }
  for (int i = 0; i < 5; ++i) REQUIRE(s.save(path).ok());
  stop.store(true);
  for (std::thread& w : writers) w.join();
  Store t;
  REQUIRE(t.load(path).ok());
  CHECK(t.dbsize() >= 2000);
  for (int i = 0; i < 2000; i += 97) CHECK(t.hget(absl::StrCat("k", i), "n").has_value());
}

TEST_CASE("a save killed at a random point leaves the previous snapshot loadable") {
  const std::string path = temp_dir() + "/killed.hss";
  Store first;
  REQUIRE(first.hset("generation", "n", "1").ok());
  REQUIRE(first.save(path).ok());
  std::mt19937 rng(42);
  int completed = 0;
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: a store big enough that a save takes a while, saved over
      // and over until it is killed; it says when it starts saving.
      Store big;
      for (int i = 0; i < 20000; ++i) {
        (void)big.hset("key:" + std::to_string(i), {{"a", std::string(50, 'x')}, {"b", "y"}});
      }
      (void)big.hset("generation", "n", "2");
      const char go = 'g';
      (void)!::write(ready[1], &go, 1);
      for (;;) (void)big.save(path);
    }
    ::close(ready[1]);
    char go;
    REQUIRE(::read(ready[0], &go, 1) == 1);
    ::close(ready[0]);
    // Kill points spread over the first save (half the rounds) and over
    // later ones (each save takes a few milliseconds).
    ::usleep(static_cast<useconds_t>(rng() % (round % 2 ? 40000 : 4000)));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    Store loaded;
    const absl::Status st = loaded.load(path);
    REQUIRE_MESSAGE(st.ok(), st.message());
    const std::optional<std::string> gen = loaded.hget("generation", "n");
    REQUIRE(gen.has_value());
    if (*gen == "2") {
      ++completed;
      CHECK(loaded.dbsize() == 20001);
    } else {
      CHECK(loaded.dbsize() == 1);
    }
    // Put the first generation back for the next round.
    REQUIRE(first.save(path).ok());
  }
  // Temporary files of saves killed mid-write stay behind (never the
  // snapshot itself); count and remove them.
  int torn = 0;
  for (const auto& e : std::filesystem::directory_iterator(temp_dir())) {
    if (e.path().filename().string().rfind("killed.hss.tmp-", 0) == 0) {
      std::filesystem::remove(e.path());
      ++torn;
    }
  }
  MESSAGE("rounds where a save had completed before the kill: " << completed
          << "; saves killed with their temporary file written: " << torn);
}
