// Tests of the pure parts of tools/cli/line_editor.cc (the terminal driver
// was tried by hand under tmux).
#include "line_editor.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using hashstore::cli::add_to_history;
using hashstore::cli::decode_key;
using hashstore::cli::Key;
using hashstore::cli::LineBuffer;
using hashstore::cli::visible_part;

namespace {

void type(LineBuffer* b, std::string_view text) {
  for (char c : text) b->apply(Key::kChar, c);
}

}  // namespace

TEST_CASE("cli::decode_key") {
  size_t used = 99;
  char ch = 0;
  SUBCASE("complete sequences") {
    struct Case {
      std::string_view bytes;
      Key key;
      size_t used;
    };
    const Case cases[] = {
        {"q", Key::kChar, 1},          {"\x01", Key::kHome, 1},
        {"\x02", Key::kLeft, 1},       {"\x03", Key::kInterrupt, 1},
        {"\x04", Key::kEof, 1},        {"\x05", Key::kEnd, 1},
        {"\x06", Key::kRight, 1},      {"\x08", Key::kBackspace, 1},
        {"\x7f", Key::kBackspace, 1},  {"\x0b", Key::kKillToEnd, 1},
        {"\x0c", Key::kClearScreen, 1}, {"\x0e", Key::kDown, 1},
        {"\x10", Key::kUp, 1},         {"\x14", Key::kTranspose, 1},
        {"\x15", Key::kKillToStart, 1}, {"\x17", Key::kKillWord, 1},
        {"\r", Key::kEnter, 1},        {"\n", Key::kEnter, 1},
        {"\t", Key::kIgnore, 1},       {"\x1b[A", Key::kUp, 3},
        {"\x1b[B", Key::kDown, 3},     {"\x1b[C", Key::kRight, 3},
        {"\x1b[D", Key::kLeft, 3},     {"\x1b[H", Key::kHome, 3},
        {"\x1b[F", Key::kEnd, 3},      {"\x1bOH", Key::kHome, 3},
        {"\x1bOF", Key::kEnd, 3},      {"\x1bOA", Key::kUp, 3},
        {"\x1b[1~", Key::kHome, 4},    {"\x1b[7~", Key::kHome, 4},
        {"\x1b[4~", Key::kEnd, 4},     {"\x1b[8~", Key::kEnd, 4},
        {"\x1b[3~", Key::kDelete, 4},  {"\x1b[5~", Key::kIgnore, 4},  // page up
        {"\x1b[1;5C", Key::kRight, 6}, {"\x1b[15~x", Key::kIgnore, 5},  // F5, then x
        {"\x1bx", Key::kIgnore, 2},    {"\x1b[A\x1b[B", Key::kUp, 3},
    };
    for (const Case& c : cases) {
      CAPTURE(c.bytes);
      CHECK(decode_key(c.bytes, &used, &ch) == c.key);
      CHECK(used == c.used);
    }
  }
  SUBCASE("a typed byte") {
    CHECK(decode_key("\xc3\xa9", &used, &ch) == Key::kChar);
    CHECK(used == 1);
    CHECK(ch == '\xc3');
  }
  SUBCASE("incomplete sequences ask for more bytes") {
    for (std::string_view bytes : {"", "\x1b", "\x1b[", "\x1bO", "\x1b[3", "\x1b[1;5"}) {
      CAPTURE(bytes);
      decode_key(bytes, &used, &ch);
      CHECK(used == 0);
    }
  }
  SUBCASE("a broken sequence is dropped up to the bad byte") {
    CHECK(decode_key("\x1b[\x01", &used, &ch) == Key::kIgnore);
    CHECK(used == 2);
  }
}

TEST_CASE("LineBuffer::apply") {
  LineBuffer b(nullptr);
  type(&b, "hset k");
  REQUIRE(b.text() == "hset k");
  REQUIRE(b.cursor() == 6);

  SUBCASE("moves stop at the ends") {
    b.apply(Key::kRight);
    CHECK(b.cursor() == 6);
    b.apply(Key::kHome);
    CHECK(b.cursor() == 0);
    b.apply(Key::kLeft);
    CHECK(b.cursor() == 0);
    b.apply(Key::kRight);
    CHECK(b.cursor() == 1);
    b.apply(Key::kEnd);
    CHECK(b.cursor() == 6);
  }
  SUBCASE("insert in the middle") {
    b.apply(Key::kHome);
    b.apply(Key::kDelete);
    b.apply(Key::kChar, 'H');
    CHECK(b.text() == "Hset k");
    CHECK(b.cursor() == 1);
  }
  SUBCASE("backspace and delete") {
    b.apply(Key::kBackspace);
    CHECK(b.text() == "hset ");
    b.apply(Key::kDelete);  // at the end: nothing
    CHECK(b.text() == "hset ");
    b.apply(Key::kHome);
    b.apply(Key::kBackspace);  // at the start: nothing
    CHECK(b.text() == "hset ");
    b.apply(Key::kDelete);
    CHECK(b.text() == "set ");
    CHECK(b.cursor() == 0);
  }
  SUBCASE("ctrl-d deletes under the cursor") {
    b.apply(Key::kLeft);
    CHECK_FALSE(b.apply(Key::kEof));
    CHECK(b.text() == "hset ");
  }
  SUBCASE("kill to end and to start") {
    b.apply(Key::kLeft);
    b.apply(Key::kLeft);
    b.apply(Key::kKillToEnd);
    CHECK(b.text() == "hset");
    CHECK(b.cursor() == 4);
    b.apply(Key::kLeft);
    b.apply(Key::kKillToStart);
    CHECK(b.text() == "t");
    CHECK(b.cursor() == 0);
  }
  SUBCASE("kill word takes the spaces, then the word") {
    type(&b, "  ");
    b.apply(Key::kKillWord);
    CHECK(b.text() == "hset ");
    b.apply(Key::kKillWord);
    CHECK(b.text().empty());
    b.apply(Key::kKillWord);
    CHECK(b.text().empty());
  }
  SUBCASE("kill word in the middle keeps what is right of the cursor") {
    b.apply(Key::kLeft);
    b.apply(Key::kLeft);
    b.apply(Key::kKillWord);
    CHECK(b.text() == " k");
    CHECK(b.cursor() == 0);
  }
  SUBCASE("transpose as linenoise") {
    b.apply(Key::kTranspose);  // at the end: nothing
    CHECK(b.text() == "hset k");
    b.apply(Key::kHome);
    b.apply(Key::kTranspose);  // at the start: nothing
    CHECK(b.text() == "hset k");
    b.apply(Key::kRight);
    b.apply(Key::kTranspose);
    CHECK(b.text() == "shet k");
    CHECK(b.cursor() == 2);
    b.apply(Key::kEnd);
    b.apply(Key::kLeft);
    b.apply(Key::kTranspose);  // on the last byte: swaps, stays
    CHECK(b.text() == "shetk ");
    CHECK(b.cursor() == 5);
  }
  SUBCASE("enter finishes; other keys do not") {
    for (Key k : {Key::kInterrupt, Key::kClearScreen, Key::kIgnore, Key::kUp}) {
      CHECK_FALSE(b.apply(k));
    }
    CHECK(b.text() == "hset k");
    CHECK(b.apply(Key::kEnter));
  }
}

TEST_CASE("LineBuffer::apply history") {
  const std::vector<std::string> history = {"HGET a b", "PING"};
  LineBuffer b(&history);
  type(&b, "dr");
  SUBCASE("up walks back and stops at the oldest") {
    b.apply(Key::kUp);
    CHECK(b.text() == "PING");
    CHECK(b.cursor() == 4);
    b.apply(Key::kUp);
    CHECK(b.text() == "HGET a b");
    b.apply(Key::kUp);
    CHECK(b.text() == "HGET a b");
  }
  SUBCASE("down comes back to the draft, edits kept") {
    b.apply(Key::kUp);
    b.apply(Key::kUp);
    b.apply(Key::kDown);
    CHECK(b.text() == "PING");
    b.apply(Key::kDown);
    CHECK(b.text() == "dr");
    b.apply(Key::kDown);
    CHECK(b.text() == "dr");
  }
  SUBCASE("an edited history line is the line") {
    b.apply(Key::kUp);
    b.apply(Key::kBackspace);
    CHECK(b.text() == "PIN");
    CHECK(b.apply(Key::kEnter));
    CHECK(history.back() == "PING");  // the history itself is untouched
  }
  SUBCASE("no history") {
    LineBuffer none(nullptr);
    type(&none, "x");
    none.apply(Key::kUp);
    CHECK(none.text() == "x");
    const std::vector<std::string> empty;
    LineBuffer also_none(&empty);
    also_none.apply(Key::kUp);
    CHECK(also_none.text().empty());
  }
}

TEST_CASE("cli::visible_part") {
  SUBCASE("a short line is drawn whole") {
    const auto v = visible_part(11, 5, 3, 80);
    CHECK(v.start == 0);
    CHECK(v.size == 5);
    CHECK(v.cursor_column == 14);
  }
  SUBCASE("a long line is cut at the right edge") {
    const auto v = visible_part(11, 100, 10, 80);
    CHECK(v.start == 0);
    CHECK(v.size == 69);
    CHECK(v.cursor_column == 21);
  }
  SUBCASE("the line scrolls so the cursor stays on screen") {
    const auto v = visible_part(11, 100, 100, 80);
    CHECK(v.start == 32);
    CHECK(v.size == 68);
    CHECK(v.cursor_column == 79);
    for (size_t cursor = 0; cursor <= 100; ++cursor) {
      CAPTURE(cursor);
      const auto w = visible_part(11, 100, cursor, 80);
      CHECK(w.cursor_column < 80);
      CHECK(w.start <= cursor);
      CHECK(w.start + w.size <= 100);
      CHECK(11 + w.size <= 80);
    }
  }
  SUBCASE("a terminal narrower than the prompt still shows the cursor's byte") {
    const auto v = visible_part(11, 5, 5, 4);
    CHECK(v.start == 5);
    CHECK(v.size == 0);
    CHECK(v.cursor_column == 11);
  }
}

TEST_CASE("cli::add_to_history") {
  std::vector<std::string> h;
  add_to_history(&h, "");
  CHECK(h.empty());
  add_to_history(&h, "a");
  add_to_history(&h, "a");
  add_to_history(&h, "b");
  add_to_history(&h, "a");
  CHECK(h == std::vector<std::string>{"a", "b", "a"});
  add_to_history(&h, "c", 3);
  CHECK(h == std::vector<std::string>{"b", "a", "c"});
}
