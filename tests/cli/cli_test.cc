// Tests of hashstore-cli's pieces (tools/cli): redis-cli line splitting,
// redis-cli --no-raw reply formatting (each expected text was printed by
// redis-cli 7.0.15 for the same reply), and the line editor's logic.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli_syntax.h"
#include "line_editor.h"
#include "reply_printer.h"

using hashstore::Reply;
using hashstore::cli::format_reply;
using hashstore::cli::Key;
using hashstore::cli::LineBuffer;
using hashstore::cli::split_args;

using Args = std::vector<std::string>;

TEST_CASE("split_args follows redis-cli") {
  CHECK(split_args("HSET k f v") == Args{"HSET", "k", "f", "v"});
  CHECK(split_args("  spaced \t out  ") == Args{"spaced", "out"});
  CHECK(split_args("") == Args{});
  CHECK(split_args("a \"b c\" 'd e'") == Args{"a", "b c", "d e"});
  CHECK(split_args(R"("\n\r\t\b\a\"\\\q")") == Args{std::string("\n\r\t\b\a\"\\q")});
  CHECK(split_args(R"("\x41\x00z")") == Args{std::string("A\0z", 3)});
  CHECK(split_args(R"("\x4")") == Args{"x4"});  // not two hex digits: \x is x
  CHECK(split_args(R"('it\'s' '\n')") == Args{"it's", "\\n"});
  CHECK(split_args("a\"b c\"") == Args{"ab c"});  // a quote may open mid-word
  CHECK(split_args("\"\"") == Args{""});
  SUBCASE("errors") {
    CHECK(split_args("\"unbalanced") == std::nullopt);
    CHECK(split_args("'unbalanced") == std::nullopt);
    CHECK(split_args("\"a\"b") == std::nullopt);  // closing quote must end the word
    CHECK(split_args("'a'b") == std::nullopt);
  }
}

TEST_CASE("format_reply prints as redis-cli --no-raw") {
  CHECK(format_reply(Reply::integer(5)) == "(integer) 5\n");
  CHECK(format_reply(Reply::ok()) == "OK\n");
  CHECK(format_reply(Reply::nil()) == "(nil)\n");
  CHECK(format_reply(Reply::error("ERR syntax error")) == "(error) ERR syntax error\n");
  CHECK(format_reply(Reply::bulk("Alice")) == "\"Alice\"\n");
  CHECK(format_reply(Reply::bulk(std::string("x\ny\"\\\x01\xff", 7))) ==
        "\"x\\ny\\\"\\\\\\x01\\xff\"\n");
  CHECK(format_reply(Reply::array({})) == "(empty array)\n");
  SUBCASE("index width follows the largest index") {
    std::vector<std::string> ten;
    for (int i = 0; i < 10; ++i) ten.push_back(std::to_string(i));
    const std::string out = format_reply(Reply::bulk_array(ten));
    CHECK(out.substr(0, 9) == " 1) \"0\"\n ");
    CHECK(out.find("10) \"9\"\n") != std::string::npos);
  }
  SUBCASE("nested arrays indent under their index (SCAN's reply)") {
    Reply scan = Reply::array({Reply::bulk("0"), Reply::bulk_array({"ab c", "h"})});
    CHECK(format_reply(scan) == "1) \"0\"\n2) 1) \"ab c\"\n   2) \"h\"\n");
    Reply empty_page = Reply::array({Reply::bulk("0"), Reply::array({})});
    CHECK(format_reply(empty_page) == "1) \"0\"\n2) (empty array)\n");
  }
}

TEST_CASE("LineBuffer editing") {
  std::vector<std::string> history = {"HGET a b", "PING"};
  LineBuffer b(&history);
  for (char c : std::string("hset k")) b.apply(Key::kChar, c);
  CHECK(b.text() == "hset k");
  b.apply(Key::kHome);
  b.apply(Key::kDelete);
  b.apply(Key::kChar, 'H');
  CHECK(b.text() == "Hset k");
  CHECK(b.cursor() == 1);
  b.apply(Key::kEnd);
  b.apply(Key::kBackspace);
  CHECK(b.text() == "Hset ");
  b.apply(Key::kLeft);
  b.apply(Key::kKillToEnd);
  CHECK(b.text() == "Hset");
  b.apply(Key::kChar, ' ');
  b.apply(Key::kChar, 'x');
  b.apply(Key::kKillWord);
  CHECK(b.text() == "Hset ");
  b.apply(Key::kKillToStart);
  CHECK(b.text().empty());
  SUBCASE("history up and down restores the draft") {
    b.apply(Key::kChar, 'z');
    b.apply(Key::kUp);
    CHECK(b.text() == "PING");
    b.apply(Key::kUp);
    CHECK(b.text() == "HGET a b");
    b.apply(Key::kUp);
    CHECK(b.text() == "HGET a b");
    b.apply(Key::kDown);
    b.apply(Key::kDown);
    CHECK(b.text() == "z");
  }
  CHECK(b.apply(Key::kEnter));
}

TEST_CASE("decode_key reads escape sequences") {
  size_t used;
  char ch = 0;
  CHECK(hashstore::cli::decode_key("\x1b[A", &used, &ch) == Key::kUp);
  CHECK(used == 3);
  CHECK(hashstore::cli::decode_key("\x1b[3~", &used, &ch) == Key::kDelete);
  CHECK(used == 4);
  hashstore::cli::decode_key("\x1b[", &used, &ch);
  CHECK(used == 0);  // incomplete: wait for more bytes
  CHECK(hashstore::cli::decode_key("q", &used, &ch) == Key::kChar);
  CHECK(ch == 'q');
  CHECK(hashstore::cli::decode_key("\x7f", &used, &ch) == Key::kBackspace);
  CHECK(hashstore::cli::decode_key("\x04", &used, &ch) == Key::kEof);
}
