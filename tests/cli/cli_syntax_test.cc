// Tests of tools/cli/cli_syntax.cc. Each expectation is what redis-cli
// 7.0.15 does with the same line (checked against it by hand; the compat
// script cli_syntax.redis checks the program as a whole).
#include "cli_syntax.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using hashstore::cli::LineCommand;
using hashstore::cli::parse_line;
using hashstore::cli::split_args;
using Args = std::vector<std::string>;

namespace {

struct SplitCase {
  std::string_view line;
  Args want;
};

}  // namespace

TEST_CASE("cli::split_args") {
  SUBCASE("white space separates arguments") {
    CHECK(split_args("HSET k f v") == Args{"HSET", "k", "f", "v"});
    CHECK(split_args("  spaced \t out \r\n") == Args{"spaced", "out"});
    CHECK(split_args("") == Args{});
    CHECK(split_args(" \t\v\f ") == Args{});
  }
  SUBCASE("an unquoted argument ends only at space, tab, CR or LF") {
    CHECK(split_args("a\vb \fc") == Args{"a\vb", "c"});  // \f before a word is skipped
    CHECK(split_args("ECHO \f x") == Args{"ECHO", "x"});  // leading \f is skipped
  }
  SUBCASE("double quotes and their escapes") {
    const SplitCase cases[] = {
        {R"("b c")", {"b c"}},
        {R"("\n\r\t\b\a\"\\")", {"\n\r\t\b\a\"\\"}},
        {R"("\q\'")", {"q'"}},                        // other escapes: the letter
        {R"("\x41\x7a\xFf")", {"Az\xff"}},
        {R"("\x00z")", {std::string("\0z", 2)}},
        {R"("\x4")", {"x4"}},                          // one hex digit: \x is x
        {R"("\xg1")", {"xg1"}},
        {R"("")", {""}},
        {R"(a"b c")", {"ab c"}},                       // a quote may open mid-word
        {"\"a\"\v", {"a"}},                            // any isspace may follow
    };
    for (const SplitCase& c : cases) {
      CAPTURE(c.line);
      CHECK(split_args(c.line) == c.want);
    }
  }
  SUBCASE("single quotes take only \\'") {
    CHECK(split_args(R"('it\'s' '\n' 'a\"')") == Args{"it's", "\\n", "a\\\""});
    CHECK(split_args("'d e'") == Args{"d e"});
    CHECK(split_args("''") == Args{""});
  }
  SUBCASE("the line ends at a NUL byte") {
    CHECK(split_args(std::string_view("a b\0c d", 7)) == Args{"a", "b"});
    CHECK(split_args(std::string_view("\"a\0b\" c", 7)) == std::nullopt);  // quote left open
  }
  SUBCASE("invalid lines") {
    for (std::string_view line :
         {"\"unbalanced", "'unbalanced", "\"a\"b", "'a'b", "x \"a\"\"b\"", "\"ends in \\"}) {
      CAPTURE(line);
      CHECK(split_args(line) == std::nullopt);
    }
  }
}

TEST_CASE("cli::parse_line") {
  SUBCASE("blank lines do nothing") {
    CHECK(parse_line("").kind == LineCommand::Kind::kNothing);
    CHECK(parse_line("   \t").kind == LineCommand::Kind::kNothing);
  }
  SUBCASE("bad quoting") {
    CHECK(parse_line("HSET \"k").kind == LineCommand::Kind::kInvalidArgs);
  }
  SUBCASE("a plain command runs once") {
    const LineCommand c = parse_line("HGET k f");
    CHECK(c.kind == LineCommand::Kind::kRun);
    CHECK(c.repeat == 1);
    CHECK(c.args == Args{"HGET", "k", "f"});
  }
  SUBCASE("a leading number repeats the command") {
    struct Case {
      std::string_view line;
      int64_t repeat;
      Args args;
    };
    const Case cases[] = {
        {"3 PING", 3, {"PING"}},
        {"+2 ECHO a", 2, {"ECHO", "a"}},
        {"\" 2\" ECHO b", 2, {"ECHO", "b"}},   // strtol skips leading space
        {"\"4\\x00x\" PING", 4, {"PING"}},    // ... and stops at a NUL
        {"9223372036854775807 PING", INT64_MAX, {"PING"}},
        {"2x PING", 1, {"2x", "PING"}},       // not a whole number: a command
        {"\"2 \" PING", 1, {"2 ", "PING"}},
        {"+ PING", 1, {"+", "PING"}},
        {"3", 1, {"3"}},                      // alone: a command
    };
    for (const Case& c : cases) {
      CAPTURE(c.line);
      const LineCommand got = parse_line(c.line);
      CHECK(got.kind == LineCommand::Kind::kRun);
      CHECK(got.repeat == c.repeat);
      CHECK(got.args == c.args);
    }
  }
  SUBCASE("refused repeat counts") {
    for (std::string_view line : {"0 PING", "-1 PING", "-0 PING", "\"\" PING",
                                  "9223372036854775808 PING", "-9223372036854775809 PING",
                                  "99999999999999999999 PING", "0 quit"}) {
      CAPTURE(line);
      CHECK(parse_line(line).kind == LineCommand::Kind::kInvalidRepeat);
    }
  }
  SUBCASE("quit and exit, in any case and with any arguments") {
    for (std::string_view line : {"quit", "QUIT", "Exit", "quit now", "  exit  "}) {
      CAPTURE(line);
      CHECK(parse_line(line).kind == LineCommand::Kind::kQuit);
    }
    // After a repeat count it is a command for the server, as in redis-cli.
    const LineCommand c = parse_line("2 quit");
    CHECK(c.kind == LineCommand::Kind::kRun);
    CHECK(c.repeat == 2);
    CHECK(c.args == Args{"quit"});
    CHECK(parse_line("quitx").kind == LineCommand::Kind::kRun);
  }
}
