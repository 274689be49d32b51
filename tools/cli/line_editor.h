// A small line editor for hashstore-cli's interactive prompt, written on
// termios (no readline dependency): left/right, home/end (also ctrl-a/e),
// backspace/delete, ctrl-k (kill to end), ctrl-u (kill to start), ctrl-w
// (kill word), up/down through history, enter, ctrl-d on an empty line and
// ctrl-c to quit.
//
// LineBuffer is the pure editing logic (unit-tested); read_line() drives it
// from a terminal.
#ifndef HASHSTORE_TOOLS_CLI_LINE_EDITOR_H_
#define HASHSTORE_TOOLS_CLI_LINE_EDITOR_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashstore::cli {

enum class Key {
  kChar, kLeft, kRight, kHome, kEnd, kBackspace, kDelete, kKillToEnd, kKillToStart,
  kKillWord, kUp, kDown, kEnter, kEof, kInterrupt, kIgnore,
};

// Decodes one key from the start of bytes (escape sequences included);
// *used gets how many bytes it took (0: need more bytes).
Key decode_key(std::string_view bytes, size_t* used, char* ch);

class LineBuffer {
 public:
  explicit LineBuffer(const std::vector<std::string>* history) : history_(history),
      history_pos_(history ? history->size() : 0) {}

  // Applies a key; returns true when the line is finished (enter).
  bool apply(Key key, char ch = 0);

  const std::string& text() const { return text_; }
  size_t cursor() const { return cursor_; }

 private:
  std::string text_;
  size_t cursor_ = 0;
  const std::vector<std::string>* history_;
  size_t history_pos_;
  std::string draft_;  // the line being typed before walking the history
};

// Reads one line at prompt from a terminal on stdin/stdout. nullopt on
// ctrl-d (empty line), ctrl-c or end of input. Adds nothing to history.
std::optional<std::string> read_line(std::string_view prompt,
                                     const std::vector<std::string>& history);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_LINE_EDITOR_H_
