// hashstore-cli's command line: options first, then an optional command.
//
//   hashstore-cli [OPTION ...] [--] [COMMAND [ARG ...]]
//
// Options are a table (kOptionSpecs in cli_options.cc): a name, the name of
// its value if it takes one (given as "--name VALUE" or "--name=VALUE"),
// its help line, and the function that stores it in CliOptions. Adding an
// option (--dir, --dbfilename...) is one field in CliOptions and one row in
// the table; parsing and the usage text follow from the row.
//
// As in redis-cli, the first argument that is not an option starts the
// command, and every later argument belongs to it (so "HSET k --echo v"
// stores "--echo"); "--" ends the options explicitly.
//
// Costs: linear in the arguments. Nothing here keeps state.
#ifndef HASHSTORE_TOOLS_CLI_CLI_OPTIONS_H_
#define HASHSTORE_TOOLS_CLI_CLI_OPTIONS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hashstore::cli {

struct CliOptions {
  bool help = false;  // --help / -h: print usage_text() and exit
  bool version = false;  // --version / -v: print "hashstore-cli <version>" and exit
  bool echo = false;  // --echo: print each command after the prompt, before its reply
  // --dir / --dbfilename: where SAVE and BGSAVE write (CONFIG SET dir /
  // dbfilename); when either is given, that file is loaded at start if it
  // exists (a damaged one stops the program), and saved at a normal exit
  // if the session changed anything (save_on_exit.h).
  std::string dir;
  std::string dbfilename;
  // --appendonly yes|no, --appendfsync always|everysec|no, --appendfilename
  // NAME: Redis's append-only log (Options::appendonly...). With
  // --appendonly yes the log in --dir (or the working directory) is loaded
  // at start (or, when there is none, the snapshot) and every write is
  // logged; nothing is saved at exit then, the log has it all.
  std::string appendonly;
  std::string appendfsync;
  std::string appendfilename;
  // --export-resp OUT: after loading, write the keyspace as RESP commands
  // for `redis-cli --pipe` to OUT ("-": standard output) and exit.
  std::string export_resp;
  // --export-rdb OUT: after loading, write the keyspace as a Redis RDB file
  // to OUT (crash-safe, as SAVE) and exit.
  std::string export_rdb;
  // --rdb-skip-unsupported: a Redis RDB file loaded at start may hold keys
  // of other types or databases; skip and count them instead of refusing.
  bool rdb_skip_unsupported = false;
  std::vector<std::string> command;  // one-shot mode when not empty
};

// One row of the option table.
struct OptionSpec {
  std::string_view name;        // "--echo"; a one-letter alias is a separate row
  std::string_view value_name;  // empty for a switch; "DIR" for "--dir DIR"
  std::string_view help;
  // Stores the option. REQUIRES: value is empty for a switch.
  void (*apply)(CliOptions* options, std::string_view value);
};

std::span<const OptionSpec> option_specs();

// Parses args (argv without the program name) against specs (the program's
// table unless a test gives its own). Errors (InvalidArgument): "unknown
// option --x", "option --x needs a value", "option --x takes no value".
absl::StatusOr<CliOptions> parse_options(std::span<const std::string_view> args,
                                         std::span<const OptionSpec> specs = option_specs());

// The usage message: synopsis and one line per option.
std::string usage_text();

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_CLI_OPTIONS_H_
