// kill -9 of a process writing through a Store with the append-only log
// (issue "Durability between snapshots"): a child opens the directory's log,
// four threads write, each acknowledging every call that returned on a
// pipe; the parent kills the child at a random moment, reloads the log and
// checks that
//   - appendfsync always: every acknowledged write is there;
//   - appendfsync everysec: every write acknowledged more than 2 seconds
//     before the kill is there (Redis's promise: about a second lost);
//   - either way, each thread's key holds exactly the result of a prefix of
//     that thread's writes: no torn, lost-in-the-middle or reordered write;
//   - the same with BGREWRITEAOF running over and over in the child, so
//     that kills land at every step of a rewrite.
// Each child continues where the last one's log left off, so later rounds
// also replay logs cut by earlier kills.
//
// AOF_CRASH_KILLS (default 50) sets the kills per policy;
// tools/aof_crash.sh runs many more.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "aof_options.h"
#include "scratch_dir.h"
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"

using hashstore::AppendFsync;
using hashstore::Options;
using hashstore::Store;

namespace {

constexpr int kThreads = 4;
constexpr int64_t kFieldsCycle = 8;

struct Ack {
  int32_t thread;
  int32_t pad;
  int64_t seq;
};

int64_t last_of(Store& s, int t) {
  const std::optional<std::string> v = s.hget(absl::StrCat("t", t), "last");
  return v ? std::stoll(*v) : 0;
}

// The child: write until killed. Write i of thread t sets, in one call,
// last = i and f<i mod 8> = i on key t<t>.
// With `rewrite`, a fifth thread runs BGREWRITEAOF over and over, so that
// kills land at every step of a rewrite.
[[noreturn]] void child(const std::string& dir, AppendFsync f, int ack_fd, bool rewrite) {
  absl::StatusOr<std::unique_ptr<Store>> s = Store::open(aof_options(dir, f));
  if (!s.ok()) _exit(3);
  Store& store = **s;
  std::vector<std::thread> threads;
  if (rewrite) {
    threads.emplace_back([&store] {
      for (;;) {
        (void)store.bgrewriteaof();  // "already in progress" while one runs
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t, ack_fd] {
      const std::string key = absl::StrCat("t", t);
      for (int64_t i = last_of(store, t) + 1;; ++i) {
        const std::string v = std::to_string(i);
        const std::string field = absl::StrCat("f", i % kFieldsCycle);
        if (!store.hset(key, {{"last", v}, {field, v}}).ok()) _exit(4);
        const Ack a{t, 0, i};
        if (::write(ack_fd, &a, sizeof a) != sizeof a) _exit(5);
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

using Clock = std::chrono::steady_clock;

void crash_rounds(AppendFsync policy, const std::string& name, bool rewrite = false) {
  ScratchDir dir("aof_crash_" + name);
  int kills = 50;
  if (const char* env = std::getenv("AOF_CRASH_KILLS")) kills = std::atoi(env);
  std::mt19937 rng(12345);
  int64_t total_acked = 0;
  for (int round = 0; round < kills; ++round) {
    CAPTURE(round);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child(dir.path(), policy, fds[1], rewrite);
    }
    ::close(fds[1]);
    // Acks as they arrive, with when they arrived.
    std::vector<std::pair<Ack, Clock::time_point>> acks;
    const auto kill_at = Clock::now() + std::chrono::milliseconds(5 + rng() % 60);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    auto drain = [&] {
      Ack a;
      for (;;) {
        const ssize_t n = ::read(fds[0], &a, sizeof a);
        if (n == sizeof a) {
          acks.emplace_back(a, Clock::now());
        } else if (n == 0 || (n < 0 && errno == EAGAIN)) {
          return n == 0;
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else {
          FAIL("short ack read");
          return true;
        }
      }
    };
    while (Clock::now() < kill_at) {
      drain();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const auto killed = Clock::now();
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    // A child that exited on its own failed (3: open, 4: a write refused).
    REQUIRE_MESSAGE(WIFSIGNALED(status), "child exit status ", WEXITSTATUS(status));
    while (!drain()) {
    }
    ::close(fds[0]);
    total_acked += static_cast<int64_t>(acks.size());

    Options o = aof_options(dir.path(), AppendFsync::kNo);
    hashstore::LoadStats stats;
    absl::StatusOr<std::unique_ptr<Store>> s = Store::open(o, &stats);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      int64_t acked = 0, acked_long_ago = 0;
      for (const auto& [a, at] : acks) {
        if (a.thread != t) continue;
        acked = std::max(acked, a.seq);
        if (killed - at > std::chrono::seconds(2)) acked_long_ago = std::max(acked_long_ago, a.seq);
      }
      const int64_t last = last_of(**s, t);
      if (policy == AppendFsync::kAlways) {
        CHECK(last >= acked);
      } else {
        CHECK(last >= acked_long_ago);
      }
      // The key is the result of writes 1..last of this thread, each whole.
      const std::vector<std::pair<std::string, std::string>> all = (*s)->hgetall(absl::StrCat("t", t));
      if (last == 0) {
        CHECK(all.empty());
        continue;
      }
      CHECK(all.size() == 1 + static_cast<size_t>(std::min<int64_t>(last, kFieldsCycle)));
      for (int64_t j = 0; j < kFieldsCycle; ++j) {
        const int64_t want = last - ((last - j) % kFieldsCycle + kFieldsCycle) % kFieldsCycle;
        const std::optional<std::string> got = (*s)->hget(absl::StrCat("t", t), absl::StrCat("f", j));
        if (want >= 1) {
          CHECK(got == std::to_string(want));
        } else {
          CHECK(!got);
        }
      }
    }
  }
  MESSAGE(name, ": ", kills, " kills, ", total_acked, " acknowledged writes checked");
  CHECK(total_acked > 0);
}

}  // namespace

TEST_CASE("aof crash: kill -9 with appendfsync always loses no acknowledged write") {
  crash_rounds(AppendFsync::kAlways, "always");
}

TEST_CASE("aof crash: kill -9 with appendfsync everysec loses at most the last seconds") {
  crash_rounds(AppendFsync::kEverysec, "everysec");
}

TEST_CASE("aof crash: kill -9 during rewrites (appendfsync always) loses nothing") {
  crash_rounds(AppendFsync::kAlways, "rewrite", /*rewrite=*/true);
}
