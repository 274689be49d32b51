// What hashstore-cli does with one line of input, exactly as redis-cli 7.0
// does at its prompt, so that scripts written for redis-cli run unchanged.
//
// Splitting (redis-cli's sdssplitargs):
//   - the line ends at its first NUL byte (redis-cli keeps lines as C
//     strings);
//   - white space (isspace: space \t \n \v \f \r) before an argument is
//     skipped; an unquoted argument ends at a space, \t, \n or \r only (so
//     "a\vb" is one argument);
//   - "double quotes" take the escapes \n \r \t \b \a and \xHH (exactly two
//     hex digits); any other \c is c, so \" and \\ are a quote and a
//     backslash;
//   - 'single quotes' take only \' ; any other backslash is kept;
//   - a closing quote must be followed by white space or the end of line;
//   - a quote may open in the middle of an argument: a"b c" is "ab c";
//   - an unterminated quote, or a closing quote followed by something else,
//     makes the whole line invalid.
//
// Then, as redis-cli's prompt loop:
//   - a line with no arguments does nothing;
//   - a first argument that is a whole base-10 number (strtol: leading white
//     space and a sign allowed) followed by more arguments is a repeat count:
//     "3 HINCRBY k f 1" runs HINCRBY three times; a count <= 0 or out of
//     range is refused;
//   - a first argument equal to quit or exit (any case, any further
//     arguments) ends the session.
//
// Costs: linear in the line's length. Nothing here keeps state.
#ifndef HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_
#define HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashstore::cli {

// What redis-cli prints for a line split_args refuses.
inline constexpr std::string_view kInvalidArguments = "Invalid argument(s)";
// What redis-cli prints for a repeat count it refuses.
inline constexpr std::string_view kInvalidRepeat = "Invalid redis-cli repeat command option value.";

// The arguments of line, or nullopt when the line is invalid (unbalanced
// quotes, or a closing quote followed by something other than white space).
std::optional<std::vector<std::string>> split_args(std::string_view line);

// One input line, decided.
struct LineCommand {
  enum class Kind {
    kNothing,          // empty or blank line
    kInvalidArgs,      // print kInvalidArguments
    kInvalidRepeat,    // print kInvalidRepeat
    kQuit,             // end the session
    kRun,              // run args, repeat times
  };
  Kind kind = Kind::kNothing;
  int64_t repeat = 1;              // >= 1 for kRun
  std::vector<std::string> args;   // kRun: the command, without the count
};

LineCommand parse_line(std::string_view line);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_
