// Tests of tools/cli/reply_printer.cc. Each expected text is what
// redis-cli --no-raw 7.0.15 printed for the same reply from redis-server.
#include "reply_printer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using hashstore::Reply;
using hashstore::cli::format_reply;
using hashstore::cli::quote;

TEST_CASE("cli::format_reply") {
  SUBCASE("scalars") {
    CHECK(format_reply(Reply::integer(5)) == "(integer) 5\n");
    CHECK(format_reply(Reply::integer(INT64_MIN)) == "(integer) -9223372036854775808\n");
    CHECK(format_reply(Reply::ok()) == "OK\n");
    CHECK(format_reply(Reply::status("PONG")) == "PONG\n");
    CHECK(format_reply(Reply::nil()) == "(nil)\n");
    CHECK(format_reply(Reply::error("ERR syntax error")) == "(error) ERR syntax error\n");
    CHECK(format_reply(Reply::bulk("Alice")) == "\"Alice\"\n");
    CHECK(format_reply(Reply::bulk("")) == "\"\"\n");
  }
  SUBCASE("status and error texts print up to a NUL, unescaped") {
    CHECK(format_reply(Reply::error(std::string("ERR a\0b", 7))) == "(error) ERR a\n");
    CHECK(format_reply(Reply::error("ERR 'a\vb'")) == "(error) ERR 'a\vb'\n");
    CHECK(format_reply(Reply::status(std::string("O\0K", 3))) == "O\n");
  }
  SUBCASE("empty array") {
    CHECK(format_reply(Reply::array({})) == "(empty array)\n");
  }
  SUBCASE("flat array with nil (HMGET)") {
    const Reply r = Reply::array({Reply::bulk("a"), Reply::nil(), Reply::bulk("c")});
    CHECK(format_reply(r) == "1) \"a\"\n2) (nil)\n3) \"c\"\n");
  }
  SUBCASE("index width follows the largest index") {
    std::vector<std::string> items;
    for (int i = 0; i < 100; ++i) items.push_back(std::to_string(i));
    const std::string out = format_reply(Reply::bulk_array(items));
    CHECK(out.substr(0, 10) == "  1) \"0\"\n ");
    CHECK(out.find("\n 10) \"9\"\n") != std::string::npos);
    CHECK(out.substr(out.size() - 10) == "100) \"99\"\n");
    items.resize(10);
    CHECK(format_reply(Reply::bulk_array(items)).substr(0, 9) == " 1) \"0\"\n ");
  }
  SUBCASE("nested arrays indent under their index (SCAN's reply)") {
    const Reply scan = Reply::array({Reply::bulk("0"), Reply::bulk_array({"ab c", "h"})});
    CHECK(format_reply(scan) == "1) \"0\"\n2) 1) \"ab c\"\n   2) \"h\"\n");
    const Reply empty_page = Reply::array({Reply::bulk("0"), Reply::array({})});
    CHECK(format_reply(empty_page) == "1) \"0\"\n2) (empty array)\n");
  }
  SUBCASE("a nested array of ten: its indexes padded, indented past the parent's") {
    std::vector<std::string> ten;
    for (int i = 0; i < 10; ++i) ten.push_back(std::to_string(i).insert(0, 1, 'f'));
    const Reply r = Reply::array({Reply::bulk("0"), Reply::bulk_array(ten)});
    const std::string out = format_reply(r);
    const std::string head = "1) \"0\"\n2)  1) \"f0\"\n    2) \"f1\"\n";
    const std::string tail = "\n   10) \"f9\"\n";
    CHECK(out.substr(0, head.size()) == head);
    CHECK(out.substr(out.size() - tail.size()) == tail);
  }
  SUBCASE("three levels") {
    const Reply r = Reply::array(
        {Reply::array({Reply::integer(1), Reply::array({Reply::bulk("x"), Reply::bulk("y")})})});
    CHECK(format_reply(r) == "1) 1) (integer) 1\n   2) 1) \"x\"\n      2) \"y\"\n");
  }
}

TEST_CASE("cli::quote") {
  CHECK(quote("plain text ~!") == "\"plain text ~!\"");
  CHECK(quote("q\"b\\") == "\"q\\\"b\\\\\"");
  CHECK(quote("\n\r\t\a\b") == "\"\\n\\r\\t\\a\\b\"");
  CHECK(quote(std::string("\0\x01\x1f\x7f\x80\xff", 6)) == "\"\\x00\\x01\\x1f\\x7f\\x80\\xff\"");
  CHECK(quote("\v\f\x1b") == "\"\\x0b\\x0c\\x1b\"");
}

TEST_CASE("cli::prints_raw and format_reply_raw") {
  using hashstore::cli::format_reply_raw;
  using hashstore::cli::prints_raw;
  using Args = std::vector<std::string>;
  SUBCASE("redis-cli's list of commands printed raw") {
    CHECK(prints_raw(Args{"INFO"}));
    CHECK(prints_raw(Args{"info", "memory", "stats"}));
    CHECK(prints_raw(Args{"MEMORY", "DOCTOR"}));
    CHECK(prints_raw(Args{"memory", "malloc-stats"}));
    CHECK(prints_raw(Args{"LATENCY", "DOCTOR"}));
    CHECK(prints_raw(Args{"LATENCY", "GRAPH", "command"}));
    CHECK(!prints_raw(Args{"LATENCY", "GRAPH"}));
    CHECK(!prints_raw(Args{"LATENCY", "DOCTOR", "x"}));
    CHECK(!prints_raw(Args{"MEMORY", "STATS"}));
    CHECK(!prints_raw(Args{"MEMORY"}));
    CHECK(!prints_raw(Args{"HGET", "k", "f"}));
    CHECK(!prints_raw(Args{"INFOX"}));
    CHECK(!prints_raw(Args{}));
  }
  SUBCASE("raw texts, as redis-cli 7.0.15 printed them") {
    // INFO's text ends with \r\n: nothing added.
    CHECK(format_reply_raw(Reply::bulk("# Keyspace\r\ndb0:keys=1\r\n")) ==
          "# Keyspace\r\ndb0:keys=1\r\n");
    CHECK(format_reply_raw(Reply::bulk("")).empty());  // INFO nosuch prints nothing
    CHECK(format_reply_raw(Reply::bulk("Hi Sam")) == "Hi Sam\n");
    CHECK(format_reply_raw(Reply::error("ERR wrong number of arguments")) ==
          "ERR wrong number of arguments\n");
    CHECK(format_reply_raw(Reply::integer(3)) == "3\n");
  }
}
