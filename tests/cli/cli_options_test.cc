// Tests of tools/cli/cli_options.cc.
#include "cli_options.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using hashstore::cli::CliOptions;
using hashstore::cli::OptionSpec;
using hashstore::cli::parse_options;
using Args = std::vector<std::string_view>;
using Strings = std::vector<std::string>;

TEST_CASE("cli::parse_options") {
  SUBCASE("no arguments: read standard input") {
    const auto o = parse_options(Args{});
    REQUIRE(o.ok());
    CHECK(o->command.empty());
    CHECK_FALSE(o->echo);
    CHECK_FALSE(o->help);
  }
  SUBCASE("switches, then the command with everything after it") {
    const auto o = parse_options(Args{"--echo", "--no-raw", "HSET", "k", "--echo", "-h"});
    REQUIRE(o.ok());
    CHECK(o->echo);
    CHECK_FALSE(o->help);
    CHECK(o->command == Strings{"HSET", "k", "--echo", "-h"});
  }
  SUBCASE("-- ends the options") {
    const auto o = parse_options(Args{"--", "--echo"});
    REQUIRE(o.ok());
    CHECK_FALSE(o->echo);
    CHECK(o->command == Strings{"--echo"});
  }
  SUBCASE("help") {
    for (std::string_view flag : {"-h", "--help"}) {
      CAPTURE(flag);
      const auto o = parse_options(Args{flag});
      REQUIRE(o.ok());
      CHECK(o->help);
    }
  }
  SUBCASE("version") {
    for (std::string_view flag : {"-v", "--version"}) {
      CAPTURE(flag);
      const auto o = parse_options(Args{flag});
      REQUIRE(o.ok());
      CHECK(o->version);
      CHECK_FALSE(o->help);
    }
    CHECK(parse_options(Args{"--version=1"}).status().message() ==
          "option --version takes no value");
  }
  SUBCASE("Redis RDB files: --export-rdb OUT, --rdb-skip-unsupported") {
    const auto o = parse_options(Args{"--export-rdb", "/tmp/x.rdb", "--rdb-skip-unsupported"});
    REQUIRE(o.ok());
    CHECK(o->export_rdb == "/tmp/x.rdb");
    CHECK(o->rdb_skip_unsupported);
    CHECK_FALSE(parse_options(Args{}).value().rdb_skip_unsupported);
  }
  SUBCASE("a lone dash is a command") {
    const auto o = parse_options(Args{"-"});
    REQUIRE(o.ok());
    CHECK(o->command == Strings{"-"});
  }
  SUBCASE("errors") {
    CHECK(parse_options(Args{"--bogus"}).status().message() == "unknown option --bogus");
    CHECK(parse_options(Args{"-x", "PING"}).status().message() == "unknown option -x");
    CHECK(parse_options(Args{"--echo=yes"}).status().message() ==
          "option --echo takes no value");
  }
  SUBCASE("options with values, from a table of the caller's") {
    // The program has no value option yet; this table stands in for --dir.
    static std::string dir;
    const OptionSpec specs[] = {
        {"--dir", "DIR", "where files go", [](CliOptions*, std::string_view v) { dir = v; }},
        {"--echo", "", "echo", [](CliOptions* o, std::string_view) { o->echo = true; }},
    };
    dir.clear();
    auto o = parse_options(Args{"--dir", "/tmp/x", "--echo", "PING"}, specs);
    REQUIRE(o.ok());
    CHECK(dir == "/tmp/x");
    CHECK(o->echo);
    CHECK(o->command == Strings{"PING"});
    o = parse_options(Args{"--dir=/a=b"}, specs);
    REQUIRE(o.ok());
    CHECK(dir == "/a=b");
    o = parse_options(Args{"--dir="}, specs);
    REQUIRE(o.ok());
    CHECK(dir.empty());
    CHECK(parse_options(Args{"--dir"}, specs).status().message() == "option --dir needs a value");
    CHECK(parse_options(Args{"--help"}, specs).status().message() == "unknown option --help");
  }
}

TEST_CASE("cli::usage_text") {
  const std::string text = hashstore::cli::usage_text();
  CHECK(text.find("usage: hashstore-cli") == 0);
  // The save at exit is announced.
  CHECK(text.find("saved there when hashstore-cli exits") != std::string::npos);
  for (const OptionSpec& spec : hashstore::cli::option_specs()) {
    CAPTURE(spec.name);
    CHECK(text.find("  " + std::string(spec.name) + " ") != std::string::npos);
  }
}
