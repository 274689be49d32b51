// hashstore-cli: try hashstore the way you try Redis with redis-cli.
//
//   hashstore-cli [OPTION ...]            read commands from standard input,
//                                         one per line, and print each reply
//                                         as `redis-cli --no-raw` prints it; on
//                                         a terminal, with the prompt
//                                         "hashstore> " and line editing
//   hashstore-cli [OPTION ...] CMD ARG..  run one command, print its reply
//
// Lines are handled as redis-cli's prompt handles them (cli_syntax.h):
// blank lines are skipped, bad quoting prints "Invalid argument(s)", a
// leading number repeats the command, quit/exit end the session. Options:
// cli_options.h (hashstore-cli --help lists them).
//
// All commands run on one in-process hashstore::Store that lives as long as
// the program. With --dir or --dbfilename, the snapshot there is loaded at
// start when it exists (SAVE and BGSAVE write it; a Redis RDB file is
// recognised by its first bytes, and loading one logs what it held to
// stderr and makes SAVE write RDB too), and saved at a normal exit when the
// session changed anything (save_on_exit.h); --export-resp OUT instead
// writes the keyspace as RESP commands for `redis-cli --pipe` and exits,
// --export-rdb OUT as a Redis RDB file. --version prints
// "hashstore-cli <version>". --appendonly yes (with --appendfsync,
// --appendfilename) loads the append-only log in --dir instead and logs
// every write to it, as redis-server does with the same options.
// Exit status: 0; 1 when the snapshot cannot be loaded (damaged, unreadable)
// or saved at exit, or the export fails; 2 for a bad option.
#include <unistd.h>

#include <memory>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hashstore/store.h>
#include <hashstore/version.h>

#include "cli_options.h"
#include "cli_syntax.h"
#include "line_editor.h"
#include "reply_printer.h"
#include "save_on_exit.h"

namespace {

using hashstore::cli::LineCommand;

constexpr std::string_view kPrompt = "hashstore> ";

void print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// Runs one command and prints its reply; saver (may be null) sees both.
void run(hashstore::Store& store, const std::vector<std::string>& args,
         hashstore::cli::SaveOnExit* saver) {
  const hashstore::Reply reply = store.execute(args);
  if (saver != nullptr) saver->after_command(args, reply);
  print(hashstore::cli::prints_raw(args) ? hashstore::cli::format_reply_raw(reply)
                                          : hashstore::cli::format_reply(reply));
}

// Handles one input line; returns false when the session should end.
bool handle_line(hashstore::Store& store, std::string_view line, bool echo,
                 hashstore::cli::SaveOnExit* saver) {
  const LineCommand cmd = hashstore::cli::parse_line(line);
  if (echo && cmd.kind != LineCommand::Kind::kNothing) {
    print(kPrompt);
    print(line);
    print("\n");
  }
  switch (cmd.kind) {
    case LineCommand::Kind::kNothing:
      return true;
    case LineCommand::Kind::kInvalidArgs:
      print(hashstore::cli::kInvalidArguments);
      print("\n");
      return true;
    case LineCommand::Kind::kInvalidRepeat:
      print(hashstore::cli::kInvalidRepeat);
      print("\n");
      return true;
    case LineCommand::Kind::kQuit:
      return false;
    case LineCommand::Kind::kRun:
      for (int64_t i = 0; i < cmd.repeat; ++i) run(store, cmd.args, saver);
      return true;
  }
  return true;
}

// Applies --dir / --dbfilename and loads the snapshot they name when it
// exists. Returns false (after printing why) when the program must stop.
bool open_snapshot(hashstore::Store& store, const hashstore::cli::CliOptions& options) {
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"dir", &options.dir},
                                    {"dbfilename", &options.dbfilename}}) {
    if (value->empty()) continue;
    const hashstore::Reply r = store.execute({"CONFIG", "SET", name, *value});
    if (r.is_error()) {
      std::fprintf(stderr, "hashstore-cli: --%s %s: %s\n", name, value->c_str(), r.string().c_str());
      return false;
    }
  }
  const hashstore::Reply dir = store.execute({"CONFIG", "GET", "dir"});
  const hashstore::Reply file = store.execute({"CONFIG", "GET", "dbfilename"});
  const std::string path = dir.elements()[1].string() + "/" + file.elements()[1].string();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return true;  // starts empty
  hashstore::Store::LoadOptions load_options;
  load_options.skip_unsupported = options.rdb_skip_unsupported;
  hashstore::Store::LoadStats stats;
  const absl::Status loaded = store.load(path, load_options, &stats);
  if (!loaded.ok()) {
    std::fprintf(stderr, "hashstore-cli: cannot load the snapshot: %s\n",
                 std::string(loaded.message()).c_str());
    return false;
  }
  if (stats.rdb_version != 0) {
    // The file stays a Redis RDB file: SAVE, BGSAVE and the save at exit
    // write that format back.
    store.execute({"CONFIG", "SET", "snapshot-format", "rdb"});
    std::fprintf(stderr,
                 "hashstore-cli: loaded %s (RDB version %d): %llu keys; left out: %llu expired, "
                 "%llu of other types or databases, %llu empty\n",
                 path.c_str(), stats.rdb_version, static_cast<unsigned long long>(stats.keys),
                 static_cast<unsigned long long>(stats.expired),
                 static_cast<unsigned long long>(stats.skipped),
                 static_cast<unsigned long long>(stats.empty));
  }
  return true;
}

// --appendonly yes: a Store loaded from the log in --dir (Store::open),
// logging every write as --appendfsync says. Errors: InvalidArgument for a
// bad option value, others for a log that cannot be loaded or written.
absl::StatusOr<std::unique_ptr<hashstore::Store>> open_appendonly(
    const hashstore::cli::CliOptions& options) {
  hashstore::Options o;
  o.appendonly = true;
  o.dir = options.dir;
  if (!options.appendfilename.empty()) o.appendfilename = options.appendfilename;
  if (!options.appendfsync.empty()) {
    if (options.appendfsync == "always") {
      o.appendfsync = hashstore::AppendFsync::kAlways;
    } else if (options.appendfsync == "everysec") {
      o.appendfsync = hashstore::AppendFsync::kEverysec;
    } else if (options.appendfsync == "no") {
      o.appendfsync = hashstore::AppendFsync::kNo;
    } else {
      return absl::InvalidArgumentError("--appendfsync must be always, everysec or no");
    }
  }
  absl::StatusOr<std::unique_ptr<hashstore::Store>> s = hashstore::Store::open(o);
  if (!s.ok()) return s;
  // Where SAVE writes (Store::open's fallback when there is no log yet is
  // the default dump.hss).
  if (!options.dbfilename.empty()) {
    const hashstore::Reply r = (*s)->execute({"CONFIG", "SET", "dbfilename", options.dbfilename});
    if (r.is_error()) return absl::InvalidArgumentError("--dbfilename: " + r.string());
  }
  return s;
}

int export_resp(hashstore::Store& store, const std::string& out_path) {
  std::FILE* out = out_path == "-" ? stdout : std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "hashstore-cli: %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  absl::Status st = store.export_resp([&](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      return absl::InternalError(std::strerror(errno));
    }
    return absl::OkStatus();
  });
  if (std::fflush(out) != 0 && st.ok()) st = absl::InternalError(std::strerror(errno));
  if (out != stdout && std::fclose(out) != 0 && st.ok()) st = absl::InternalError(std::strerror(errno));
  if (!st.ok()) {
    std::fprintf(stderr, "hashstore-cli: export to %s: %s\n", out_path.c_str(),
                 std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}

// Saves at exit when saver says so; returns the exit status.
int finish(hashstore::cli::SaveOnExit* saver) {
  std::fflush(stdout);
  if (saver == nullptr) return 0;
  const absl::Status st = saver->finish();
  if (st.ok()) return 0;
  std::fprintf(stderr, "hashstore-cli: cannot save the snapshot at exit: %s\n",
               std::string(st.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  absl::StatusOr<hashstore::cli::CliOptions> options = hashstore::cli::parse_options(args);
  if (!options.ok()) {
    std::fprintf(stderr, "hashstore-cli: %s\n%s", std::string(options.status().message()).c_str(),
                 hashstore::cli::usage_text().c_str());
    return 2;
  }
  if (options->help) {
    print(hashstore::cli::usage_text());
    return 0;
  }
  if (options->version) {
    std::printf("hashstore-cli %s\n", hashstore::version());
    return 0;
  }
  std::unique_ptr<hashstore::Store> opened;
  const bool appendonly = options->appendonly == "yes";
  if (!appendonly && !options->appendonly.empty() && options->appendonly != "no") {
    std::fprintf(stderr, "hashstore-cli: --appendonly must be yes or no\n");
    return 2;
  }
  if (appendonly) {
    if (absl::StatusOr<std::unique_ptr<hashstore::Store>> s = open_appendonly(*options); s.ok()) {
      opened = std::move(*s);
    } else {
      std::fprintf(stderr, "hashstore-cli: %s\n", std::string(s.status().message()).c_str());
      return s.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
    }
  } else {
    opened = std::make_unique<hashstore::Store>();
  }
  hashstore::Store& store = *opened;
  // With the log on it holds every write: no snapshot is saved at exit.
  const bool snapshot = !appendonly && (!options->dir.empty() || !options->dbfilename.empty());
  if (snapshot && !open_snapshot(store, *options)) return 1;
  if (!options->export_resp.empty()) return export_resp(store, options->export_resp);
  if (!options->export_rdb.empty()) {
    const absl::Status st = store.save(options->export_rdb, hashstore::Store::SaveFormat::kRdb);
    if (!st.ok()) {
      std::fprintf(stderr, "hashstore-cli: export to %s: %s\n", options->export_rdb.c_str(),
                   std::string(st.message()).c_str());
      return 1;
    }
    return 0;
  }
  std::optional<hashstore::cli::SaveOnExit> save_on_exit;
  if (snapshot) save_on_exit.emplace(store);
  hashstore::cli::SaveOnExit* saver = save_on_exit ? &*save_on_exit : nullptr;
  if (!options->command.empty()) {
    run(store, options->command, saver);
    return finish(saver);
  }
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    std::vector<std::string> history;
    while (std::optional<std::string> line = hashstore::cli::read_line(kPrompt, history)) {
      hashstore::cli::add_to_history(&history, *line);
      const bool more = handle_line(store, *line, /*echo=*/false, saver);
      std::fflush(stdout);
      if (!more) break;
    }
    return finish(saver);
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!handle_line(store, line, options->echo, saver)) break;
  }
  return finish(saver);
}
