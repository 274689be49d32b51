// Tests for the errors of save and load (lib/persist/io_error.h and the
// error paths of snapshot_writer.cc / snapshot_reader.cc): every failure
// carries the code of its errno and names the caller's path, never the
// temporary file; nothing is replaced or left behind. Failures the real
// file system cannot be made to give here (a full disk, a read-only file
// system, permissions when running as root) are injected through the
// writer's FileOps.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <hashstore/store.h>

#include "store/store_internal.h"
#include "persist/io_error.h"
#include "persist/snapshot_writer.h"
#include "scratch_dir.h"

namespace {

using absl::StatusCode;
using hashstore::Store;
namespace snap = hashstore::internal::snapshot;

const std::string& temp_dir() {
  static const ScratchDir dir("hs_persist_errors_test");
  return dir.path();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Files in dir whose name contains ".tmp-" (a temporary file left behind).
int temp_files_in(const std::string& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  }
  return n;
}

// The message names path and not a temporary file.
bool names_path(const absl::Status& st, const std::string& path) {
  const std::string msg(st.message());
  return msg.find(path) != std::string::npos && msg.find(".tmp-") == std::string::npos;
}

// ---- Injected failures: which call fails, with which errno ----------------

struct Fault {
  enum Call { kNone, kOpen, kWrite, kFsync, kClose, kRename, kOpenDir } call = kNone;
  int err = 0;
};
Fault g_fault;

const snap::FileOps& faulty_ops() {
  static const snap::FileOps ops{
      [](const char* path, int flags, unsigned mode) {
        const bool dir = (flags & O_DIRECTORY) != 0;
        if (g_fault.call == (dir ? Fault::kOpenDir : Fault::kOpen)) {
          errno = g_fault.err;
          return -1;
        }
        return snap::system_file_ops().open(path, flags, mode);
      },
      [](int fd, const void* data, size_t n) -> long {
        if (g_fault.call == Fault::kWrite) {
          errno = g_fault.err;
          return -1;
        }
        return snap::system_file_ops().write(fd, data, n);
      },
      [](int fd) {
        if (g_fault.call == Fault::kFsync) {
          errno = g_fault.err;
          return -1;
        }
        return snap::system_file_ops().fsync(fd);
      },
      [](int fd) {
        const int r = snap::system_file_ops().close(fd);  // closes it in any case
        if (g_fault.call == Fault::kClose) {
          errno = g_fault.err;
          return -1;
        }
        return r;
      },
      [](const char* from, const char* to) {
        if (g_fault.call == Fault::kRename) {
          errno = g_fault.err;
          return -1;
        }
        return snap::system_file_ops().rename(from, to);
      },
  };
  return ops;
}

}  // namespace

TEST_CASE("code_for_errno") {
  using hashstore::internal::code_for_errno;
  const struct {
    int err;
    StatusCode code;
  } cases[] = {
      {ENOENT, StatusCode::kNotFound},           {ENOTDIR, StatusCode::kNotFound},
      {EACCES, StatusCode::kPermissionDenied},   {EPERM, StatusCode::kPermissionDenied},
      {ENOSPC, StatusCode::kResourceExhausted},  {EDQUOT, StatusCode::kResourceExhausted},
      {EFBIG, StatusCode::kResourceExhausted},   {EMFILE, StatusCode::kResourceExhausted},
      {ENFILE, StatusCode::kResourceExhausted},  {ENOMEM, StatusCode::kResourceExhausted},
      {EROFS, StatusCode::kFailedPrecondition},  {EISDIR, StatusCode::kFailedPrecondition},
      {EBUSY, StatusCode::kFailedPrecondition},  {ETXTBSY, StatusCode::kFailedPrecondition},
      {ENAMETOOLONG, StatusCode::kInvalidArgument}, {ELOOP, StatusCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    CAPTURE(c.err);
    CHECK(code_for_errno(c.err, StatusCode::kInternal) == c.code);
    CHECK(code_for_errno(c.err, StatusCode::kDataLoss) == c.code);
  }
  // Anything else is the caller's fallback.
  CHECK(code_for_errno(EIO, StatusCode::kInternal) == StatusCode::kInternal);
  CHECK(code_for_errno(EIO, StatusCode::kDataLoss) == StatusCode::kDataLoss);
  CHECK(code_for_errno(0, StatusCode::kInternal) == StatusCode::kInternal);
  const absl::Status st = hashstore::internal::errno_status(ENOSPC, "ERR save /x", StatusCode::kInternal);
  CHECK(st.code() == StatusCode::kResourceExhausted);
  CHECK(st.message() == "ERR save /x: No space left on device");
}

TEST_CASE("Store::save errors") {
  Store s;
  REQUIRE(s.hset("k", "f", "v").ok());
  const std::string dir = temp_dir();

  SUBCASE("an empty path") {
    const absl::Status st = s.save("");
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() == "ERR save: the path is empty");
  }

  SUBCASE("a missing directory is NotFound, naming the path") {
    const std::string path = dir + "/no/such/dir/x.hsdb";
    const absl::Status st = s.save(path);
    CHECK(st.code() == StatusCode::kNotFound);
    CHECK(names_path(st, path));
    CHECK(st.message() == "ERR save " + path + ": cannot create a file in " + dir +
                              "/no/such/dir: No such file or directory");
  }

  SUBCASE("a path under a regular file is NotFound (ENOTDIR)") {
    const std::string file = dir + "/plain";
    std::ofstream(file) << "x";
    const std::string path = file + "/x.hsdb";
    const absl::Status st = s.save(path);
    CHECK(st.code() == StatusCode::kNotFound);
    CHECK(names_path(st, path));
    CHECK(std::string(st.message()).find("Not a directory") != std::string::npos);
  }

  SUBCASE("a path that is a directory: FailedPrecondition, nothing left behind") {
    const std::string path = dir + "/adir";
    std::filesystem::create_directories(path);
    const absl::Status st = s.save(path);
    CHECK(st.code() == StatusCode::kFailedPrecondition);
    CHECK(names_path(st, path));
    CHECK(std::string(st.message()).find("cannot replace it: Is a directory") != std::string::npos);
    CHECK(std::filesystem::is_directory(path));
    CHECK(temp_files_in(dir) == 0);
  }

  SUBCASE("a directory without write permission is PermissionDenied") {
    if (::geteuid() == 0) {
      MESSAGE("running as root: permissions are not enforced; the FileOps case covers EACCES");
    } else {
      const std::string locked = dir + "/locked";
      std::filesystem::create_directories(locked);
      REQUIRE(::chmod(locked.c_str(), 0500) == 0);
      const absl::Status st = s.save(locked + "/x.hsdb");
      ::chmod(locked.c_str(), 0700);
      CHECK(st.code() == StatusCode::kPermissionDenied);
      CHECK(names_path(st, locked + "/x.hsdb"));
    }
  }

  SUBCASE("BGSAVE reports the same error") {
    const std::string path = dir + "/missing/bg.hsdb";
    REQUIRE(s.bgsave(path).ok());
    const absl::Status st = s.wait_bgsave();
    CHECK(st.code() == StatusCode::kNotFound);
    CHECK(names_path(st, path));
  }

  SUBCASE("SAVE through execute replies the message") {
    REQUIRE(!s.execute({"CONFIG", "SET", "dir", dir}).is_error());
    REQUIRE(!s.execute({"CONFIG", "SET", "dbfilename", "adir2"}).is_error());
    std::filesystem::create_directories(dir + "/adir2");
    const hashstore::Reply r = s.execute({"SAVE"});
    REQUIRE(r.is_error());
    CHECK(r.string().find("ERR save " + dir + "/adir2: cannot replace it") == 0);
  }
}

TEST_CASE("save_snapshot with injected failures") {
  Store s;
  REQUIRE(s.hset("k", "f", "v").ok());
  hashstore::internal::StoreImpl& impl = hashstore::internal::StoreInternal::impl(s);
  const std::string dir = temp_dir() + "/inject";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/x.hsdb";
  REQUIRE(snap::save_snapshot(impl, path).ok());
  const std::string before = read_file(path);
  REQUIRE(!before.empty());
  REQUIRE(s.hset("k", "g", "w").ok());  // a save that succeeded now would differ

  const struct {
    Fault::Call call;
    int err;
    StatusCode code;
    const char* message;  // after "ERR save <path>: "
  } cases[] = {
      {Fault::kOpen, EACCES, StatusCode::kPermissionDenied, "cannot create a file in "},
      {Fault::kOpen, EROFS, StatusCode::kFailedPrecondition, "cannot create a file in "},
      {Fault::kOpen, EDQUOT, StatusCode::kResourceExhausted, "cannot create a file in "},
      {Fault::kWrite, ENOSPC, StatusCode::kResourceExhausted, "cannot write: No space left on device"},
      {Fault::kWrite, EIO, StatusCode::kInternal, "cannot write: Input/output error"},
      {Fault::kFsync, EIO, StatusCode::kInternal, "fsync failed: Input/output error"},
      {Fault::kClose, ENOSPC, StatusCode::kResourceExhausted, "close failed: No space left on device"},
      {Fault::kRename, EROFS, StatusCode::kFailedPrecondition,
       "cannot replace it: Read-only file system"},
      {Fault::kRename, EACCES, StatusCode::kPermissionDenied, "cannot replace it: Permission denied"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.call);
    CAPTURE(c.err);
    g_fault = Fault{c.call, c.err};
    const absl::StatusOr<snap::SaveResult> r = snap::save_snapshot(impl, path, faulty_ops());
    g_fault = Fault{};
    REQUIRE(!r.ok());
    CHECK(r.status().code() == c.code);
    CHECK(names_path(r.status(), path));
    const std::string prefix = "ERR save " + path + ": ";
    CHECK(std::string(r.status().message()).find(prefix + c.message) == 0);
    CHECK(read_file(path) == before);  // the old snapshot stands
    CHECK(temp_files_in(dir) == 0);    // the temporary file is gone
  }

  // The directory's fsync fails after the rename: reported (the new file is
  // in place, but its durability is not known).
  g_fault = Fault{Fault::kOpenDir, EACCES};
  absl::StatusOr<snap::SaveResult> r = snap::save_snapshot(impl, path, faulty_ops());
  g_fault = Fault{};
  CHECK(r.status().code() == StatusCode::kPermissionDenied);
  CHECK(names_path(r.status(), path));
  CHECK(std::string(r.status().message()).find("cannot open its directory " + dir) !=
        std::string::npos);
  CHECK(temp_files_in(dir) == 0);

  // With the real calls the save goes through.
  CHECK(snap::save_snapshot(impl, path).ok());
  CHECK(read_file(path) != before);
}

TEST_CASE("Store::load errors") {
  Store s;
  const std::string dir = temp_dir();

  SUBCASE("an empty path") {
    const absl::Status st = s.load("");
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() == "ERR load: the path is empty");
  }
  SUBCASE("a missing file is NotFound") {
    const std::string path = dir + "/missing.hsdb";
    const absl::Status st = s.load(path);
    CHECK(st.code() == StatusCode::kNotFound);
    CHECK(st.message() == "ERR snapshot " + path + ": No such file or directory");
  }
  SUBCASE("a path under a regular file is NotFound") {
    const std::string file = dir + "/plain2";
    std::ofstream(file) << "x";
    const absl::Status st = s.load(file + "/x.hsdb");
    CHECK(st.code() == StatusCode::kNotFound);
  }
  SUBCASE("a directory is refused as not a regular file") {
    const absl::Status st = s.load(dir);
    CHECK(st.code() == StatusCode::kDataLoss);
    CHECK(st.message() == "ERR snapshot " + dir + ": not a regular file");
  }
  SUBCASE("an unreadable file is PermissionDenied") {
    if (::geteuid() == 0) {
      MESSAGE("running as root: permissions are not enforced");
    } else {
      const std::string path = dir + "/unreadable.hsdb";
      Store t;
      REQUIRE(t.hset("k", "f", "v").ok());
      REQUIRE(t.save(path).ok());
      REQUIRE(::chmod(path.c_str(), 0) == 0);
      const absl::Status st = s.load(path);
      CHECK(st.code() == StatusCode::kPermissionDenied);
      CHECK(names_path(st, path));
    }
  }
  CHECK(s.dbsize() == 0);  // every failure left the store empty
}
