// Tests of tools/cli/save_on_exit.cc: which sessions count as changed, and
// that finish() saves to the configured snapshot only then.
#include "save_on_exit.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

namespace {

using hashstore::Store;
using hashstore::cli::SaveOnExit;
using Args = std::vector<std::string>;

// A fresh directory under the system's temp directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hs_save_on_exit.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a command as the CLI does: execute, then tell the saver.
hashstore::Reply run(Store& s, SaveOnExit& saver, const Args& args) {
  hashstore::Reply r = s.execute(args);
  saver.after_command(args, r);
  return r;
}

}  // namespace

TEST_CASE("cli::SaveOnExit") {
  TempDir dir;
  REQUIRE(!dir.path().empty());
  const std::string file = dir.path() + "/dump.hss";
  hashstore::ManualClock clock;
  hashstore::Options opt;
  opt.clock = &clock;
  Store s(opt);
  REQUIRE(!s.execute({"CONFIG", "SET", "dir", dir.path()}).is_error());

  SUBCASE("reads only: clean, nothing written") {
    SaveOnExit saver(s);
    run(s, saver, {"HGET", "k", "f"});
    run(s, saver, {"DBSIZE"});
    run(s, saver, {"CONFIG", "SET", "maxmemory", "1mb"});
    CHECK_FALSE(saver.dirty());
    CHECK(saver.finish().ok());
    CHECK_FALSE(std::filesystem::exists(file));
  }
  SUBCASE("a write is saved by finish()") {
    SaveOnExit saver(s);
    run(s, saver, {"HSET", "k", "f", "v"});
    CHECK(saver.dirty());
    CHECK(saver.finish().ok());
    CHECK_FALSE(saver.dirty());
    Store t;
    REQUIRE(t.load(file).ok());
    CHECK(t.hget("k", "f") == "v");
  }
  SUBCASE("every kind of change counts") {
    REQUIRE(s.hset("k", "f", "v").ok());
    REQUIRE(s.hset("t", "f", "v").ok());
    REQUIRE(s.pexpire("t", 10).ok());
    const std::vector<Args> changes = {
        {"HDEL", "k", "f"},       {"DEL", "k"},   {"HINCRBY", "k", "n", "1"},
        {"EXPIRE", "k", "100"},   {"RENAME", "k", "k2"}, {"FLUSHALL"},
        {"flushdb"},
    };
    for (const Args& cmd : changes) {
      CAPTURE(cmd[0]);
      REQUIRE(s.hset("k", "f", "v").ok());
      SaveOnExit saver(s);  // subscribes now: clean
      CHECK_FALSE(saver.dirty());
      CHECK_FALSE(run(s, saver, cmd).is_error());
      CHECK(saver.dirty());
    }
    // An expiry seen by a read.
    REQUIRE(s.hset("t", "f", "v").ok());
    REQUIRE(s.pexpire("t", 10).ok());
    SaveOnExit saver(s);
    clock.advance_ms(10);
    CHECK(s.expire_cycle() == 1);
    CHECK(saver.dirty());
  }
  SUBCASE("a failed write is no change") {
    SaveOnExit saver(s);
    run(s, saver, {"HSET", "k"});                  // wrong arity
    run(s, saver, {"FLUSHALL", "NOW"});            // syntax error: flushes nothing
    CHECK_FALSE(saver.dirty());
  }
  SUBCASE("SAVE makes it clean; a later write dirty again") {
    SaveOnExit saver(s);
    run(s, saver, {"HSET", "k", "f", "v"});
    CHECK(run(s, saver, {"SAVE"}).kind() == hashstore::Reply::Kind::kStatus);
    CHECK_FALSE(saver.dirty());
    run(s, saver, {"HSET", "k", "f", "w"});
    CHECK(saver.dirty());
  }
  SUBCASE("CONFIG SET dir / dbfilename move the file, as in Redis") {
    TempDir other;
    SaveOnExit saver(s);
    run(s, saver, {"CONFIG", "SET", "dir", other.path()});
    run(s, saver, {"CONFIG", "SET", "dbfilename", "moved.hss"});
    run(s, saver, {"HSET", "k", "f", "v"});
    CHECK(saver.finish().ok());
    CHECK(std::filesystem::exists(other.path() + "/moved.hss"));
    CHECK_FALSE(std::filesystem::exists(file));
  }
  SUBCASE("with snapshot-format rdb (a loaded Redis RDB file) the file stays RDB") {
    SaveOnExit saver(s);
    run(s, saver, {"CONFIG", "SET", "snapshot-format", "rdb"});
    run(s, saver, {"HSET", "k", "f", "v"});
    REQUIRE(saver.finish().ok());
    std::ifstream in(file, std::ios::binary);
    char magic[5] = {};
    in.read(magic, sizeof magic);
    CHECK(std::string(magic, sizeof magic) == "REDIS");
    Store loaded;
    REQUIRE(loaded.load(file).ok());
    CHECK(loaded.hget("k", "f") == "v");
  }
  SUBCASE("a failing save is returned, naming the path") {
    std::filesystem::create_directories(file);  // the file's place is a directory
    SaveOnExit saver(s);
    run(s, saver, {"HSET", "k", "f", "v"});
    const absl::Status st = saver.finish();
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(std::string(st.message()).find(file) != std::string::npos);
    CHECK(saver.dirty());  // still unsaved
  }
}
