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
// the program. Exit status: 0, or 2 for a bad option.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <hashstore/store.h>

#include "cli_options.h"
#include "cli_syntax.h"
#include "line_editor.h"
#include "reply_printer.h"

namespace {

using hashstore::cli::LineCommand;

constexpr std::string_view kPrompt = "hashstore> ";

void print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

void run(hashstore::Store& store, const std::vector<std::string>& args) {
  print(hashstore::cli::format_reply(store.execute(args)));
}

// Handles one input line; returns false when the session should end.
bool handle_line(hashstore::Store& store, std::string_view line, bool echo) {
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
      for (int64_t i = 0; i < cmd.repeat; ++i) run(store, cmd.args);
      return true;
  }
  return true;
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
  hashstore::Store store;
  if (!options->command.empty()) {
    run(store, options->command);
    return 0;
  }
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    std::vector<std::string> history;
    while (std::optional<std::string> line = hashstore::cli::read_line(kPrompt, history)) {
      hashstore::cli::add_to_history(&history, *line);
      const bool more = handle_line(store, *line, /*echo=*/false);
      std::fflush(stdout);
      if (!more) break;
    }
    return 0;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!handle_line(store, line, options->echo)) break;
  }
  return 0;
}
