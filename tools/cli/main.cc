// hashstore-cli: try hashstore the way you try Redis with redis-cli.
//
//   hashstore-cli                  read commands, one per line, and print each
//                                  reply as `redis-cli --no-raw` prints it; on a
//                                  terminal, with a prompt and line editing
//   hashstore-cli CMD ARGS...      run one command and print its reply
//   --echo                         print each command (after "hashstore> ")
//                                  before its reply: a transcript
//
// All commands run on one in-process hashstore::Store that lives as long as
// the program.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <hashstore/store.h>

#include "cli_syntax.h"
#include "line_editor.h"
#include "reply_printer.h"

namespace {

constexpr const char* kPrompt = "hashstore> ";

struct Flags {
  bool echo = false;
  std::vector<std::string> command;  // one-shot mode when not empty
};

void usage() {
  std::fputs(
      "usage: hashstore-cli [--echo] [command [arg ...]]\n"
      "Reads commands from standard input (redis-cli syntax) unless a command is given.\n",
      stderr);
}

bool parse_flags(int argc, char** argv, Flags* flags) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--echo") {
      flags->echo = true;
    } else if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      std::fprintf(stderr, "hashstore-cli: unknown option %s\n", argv[i]);
      usage();
      return false;
    } else {
      break;
    }
  }
  for (; i < argc; ++i) flags->command.emplace_back(argv[i]);
  return true;
}

bool is_quit(const std::vector<std::string>& args) {
  if (args.size() != 1) return false;
  std::string a = args[0];
  for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a == "quit" || a == "exit";
}

// Runs one line; returns false when the user asked to quit.
bool run_line(hashstore::Store& store, const std::string& line, bool echo) {
  auto args = hashstore::cli::split_args(line);
  if (!args) {
    std::fputs("Invalid argument(s)\n", stdout);
    return true;
  }
  if (args->empty()) return true;
  if (echo) std::printf("%s%s\n", kPrompt, line.c_str());
  if (is_quit(*args)) return false;
  std::fputs(hashstore::cli::format_reply(store.execute(*args)).c_str(), stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!parse_flags(argc, argv, &flags)) return 2;
  hashstore::Store store;
  if (!flags.command.empty()) {
    std::fputs(hashstore::cli::format_reply(store.execute(flags.command)).c_str(), stdout);
    return 0;
  }
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    std::vector<std::string> history;
    while (auto line = hashstore::cli::read_line(kPrompt, history)) {
      if (!line->empty()) history.push_back(*line);
      if (!run_line(store, *line, /*echo=*/false)) break;
      std::fflush(stdout);
    }
    return 0;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!run_line(store, line, flags.echo)) break;
  }
  return 0;
}
