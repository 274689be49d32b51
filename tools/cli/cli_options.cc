// hashstore-cli's option table and parser (see cli_options.h).
#include "cli_options.h"

#include <array>
#include <string>

#include "absl/status/status.h"

namespace hashstore::cli {

namespace {

// The table. Keep it sorted by name (the usage text lists it in this order).
constexpr std::array kOptionSpecs = {
    OptionSpec{"--appendfilename", "NAME", "append-only log file name in --dir (default appendonly.aof)",
               [](CliOptions* o, std::string_view v) { o->appendfilename = v; }},
    OptionSpec{"--appendfsync", "POLICY",
               "when the log reaches the disk: always, everysec (default) or no",
               [](CliOptions* o, std::string_view v) { o->appendfsync = v; }},
    OptionSpec{"--appendonly", "yes|no",
               "yes: load the append-only log in --dir at start and log every write to it",
               [](CliOptions* o, std::string_view v) { o->appendonly = v; }},
    OptionSpec{"--dbfilename", "FILE", "snapshot file name in --dir (default dump.hss)",
               [](CliOptions* o, std::string_view v) { o->dbfilename = v; }},
    OptionSpec{"--dir", "DIR",
               "snapshot directory; its snapshot is loaded at start if present, and "
               "saved at exit if the session changed anything",
               [](CliOptions* o, std::string_view v) { o->dir = v; }},
    OptionSpec{"--echo", "", "print each command after the prompt, before its reply",
               [](CliOptions* o, std::string_view) { o->echo = true; }},
    OptionSpec{"--export-resp", "OUT",
               "write the loaded keyspace as RESP commands for redis-cli --pipe to OUT "
               "(- for stdout) and exit",
               [](CliOptions* o, std::string_view v) { o->export_resp = v; }},
    OptionSpec{"--export-rdb", "OUT",
               "write the loaded keyspace as a Redis RDB file to OUT and exit",
               [](CliOptions* o, std::string_view v) { o->export_rdb = v; }},
    OptionSpec{"--help", "", "print this help and exit",
               [](CliOptions* o, std::string_view) { o->help = true; }},
    OptionSpec{"--no-raw", "", "format replies as redis-cli --no-raw does (the default)",
               [](CliOptions*, std::string_view) {}},
    OptionSpec{"--version", "", "print the version and exit",
               [](CliOptions* o, std::string_view) { o->version = true; }},
    OptionSpec{"--rdb-skip-unsupported", "",
               "loading a Redis RDB file: skip (and count) keys of other types and "
               "databases instead of refusing the file",
               [](CliOptions* o, std::string_view) { o->rdb_skip_unsupported = true; }},
    OptionSpec{"-h", "", "same as --help", [](CliOptions* o, std::string_view) { o->help = true; }},
    OptionSpec{"-v", "", "same as --version",
               [](CliOptions* o, std::string_view) { o->version = true; }},
};

const OptionSpec* find_spec(std::span<const OptionSpec> specs, std::string_view name) {
  for (const OptionSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::Status error(std::string_view before, std::string_view name, std::string_view after) {
  std::string message(before);
  (message += name) += after;
  return absl::InvalidArgumentError(message);
}

}  // namespace

std::span<const OptionSpec> option_specs() { return kOptionSpecs; }

absl::StatusOr<CliOptions> parse_options(std::span<const std::string_view> args,
                                         std::span<const OptionSpec> specs) {
  CliOptions options;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // the command starts here
    std::string_view name = arg;
    std::string_view value;
    bool has_inline_value = false;
    if (const size_t eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    const OptionSpec* spec = find_spec(specs, name);
    if (spec == nullptr) {
      return error("unknown option ", name, "");
    }
    if (spec->value_name.empty()) {
      if (has_inline_value) {
        return error("option ", name, " takes no value");
      }
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        return error("option ", name, " needs a value");
      }
      value = args[++i];
    }
    spec->apply(&options, value);
  }
  for (; i < args.size(); ++i) options.command.emplace_back(args[i]);
  return options;
}

std::string usage_text() {
  std::string out =
      "usage: hashstore-cli [OPTION ...] [--] [COMMAND [ARG ...]]\n"
      "Runs COMMAND on an in-memory hashstore and prints its reply as redis-cli does;\n"
      "without COMMAND, reads commands from standard input, one per line, in\n"
      "redis-cli syntax (with a prompt and line editing on a terminal).\n"
      "With --dir or --dbfilename, the snapshot there is loaded at start, and when\n"
      "the session wrote anything it is saved there when hashstore-cli exits\n"
      "normally (end of input, quit, or after COMMAND), as redis-server saves at\n"
      "shutdown; a failed save at exit is reported and the exit status is 1.\n"
      "Options:\n";
  for (const OptionSpec& spec : kOptionSpecs) {
    std::string left = "  ";
    left += spec.name;
    if (!spec.value_name.empty()) (left += ' ') += spec.value_name;
    if (left.size() < 20) left.resize(20, ' ');
    ((out += left) += ' ') += spec.help;
    out += '\n';
  }
  return out;
}

}  // namespace hashstore::cli
