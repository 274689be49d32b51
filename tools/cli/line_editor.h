// hashstore-cli's interactive line editor, written on termios (no readline
// or libedit): the keys of redis-cli's linenoise in single-line mode.
//
//   left/right, ctrl-b/ctrl-f   move one byte       ctrl-k   kill to end
//   home/end, ctrl-a/ctrl-e     start/end of line   ctrl-u   kill to start
//   backspace (^H, DEL)         delete left         ctrl-w   kill word left
//   delete (ESC[3~)             delete under cursor ctrl-t   swap two chars
//   up/down, ctrl-p/ctrl-n      walk the history    ctrl-l   clear screen
//   enter                       finish the line     ctrl-c   quit
//   ctrl-d                      quit on an empty line, else delete under cursor
//
// Three pure pieces, unit-tested, and one driver:
//   decode_key    bytes read from the terminal -> one Key (escape sequences
//                 are CSI "ESC [ params final" and SS3 "ESC O final", so
//                 ESC[1~, ESC[H and ESC OH are all Home, ESC[1;5C is Right);
//   LineBuffer    a line (bytes) and a cursor (0..size, a byte index) under
//                 those keys, with a history walk that keeps the draft;
//   visible_part  which bytes of a long line fit beside the prompt (the line
//                 scrolls sideways, as linenoise's single-line mode does);
//   read_line     puts the terminal in raw mode, runs the above, restores the
//                 terminal on every return.
// The editor works on bytes: a UTF-8 character takes as many cursor steps as
// it has bytes.
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
  kKillWord, kTranspose, kUp, kDown, kEnter, kEof, kInterrupt, kClearScreen, kIgnore,
};

// Decodes the first key of bytes. *used gets the number of bytes it took;
// 0 means bytes holds only the start of an escape sequence (read more and
// call again). For kChar, *ch gets the byte. Bytes >= 0x80 are kChar.
Key decode_key(std::string_view bytes, size_t* used, char* ch);

class LineBuffer {
 public:
  // history may be null (no history). REQUIRES: history outlives this buffer
  // and does not change while it is used.
  explicit LineBuffer(const std::vector<std::string>* history)
      : history_(history), history_pos_(history ? history->size() : 0) {}

  // Applies key (ch is the byte of a kChar). Returns true when the line is
  // finished (kEnter). kEof deletes under the cursor (ending the session on
  // an empty line is the driver's call); kInterrupt, kClearScreen and
  // kIgnore change nothing.
  bool apply(Key key, char ch = 0);

  const std::string& text() const { return text_; }
  size_t cursor() const { return cursor_; }  // 0..text().size()

 private:
  std::string text_;
  size_t cursor_ = 0;
  const std::vector<std::string>* history_;
  size_t history_pos_;  // history_->size(): the draft, not a history line
  std::string draft_;   // the line being typed before walking the history
};

// What to draw of a line of text_size bytes with the cursor at cursor, after
// a prompt of prompt_size columns, on a terminal cols columns wide: the
// bytes [start, start + size) and the cursor's column (0-based). The cursor
// always stays visible, and the line is cut at the right edge.
struct VisiblePart {
  size_t start;
  size_t size;
  size_t cursor_column;
};
VisiblePart visible_part(size_t prompt_size, size_t text_size, size_t cursor, size_t cols);

// Appends line to history as linenoise does: not when it is empty or the
// same as the last entry; the oldest entry goes beyond max_size.
void add_to_history(std::vector<std::string>* history, std::string_view line,
                    size_t max_size = 100);

// Reads one line from the terminal on stdin, drawing on stdout, with prompt
// shown before it. Returns nullopt on ctrl-c, on ctrl-d on an empty line,
// at end of input, or when stdin is not a terminal. Leaves history alone.
std::optional<std::string> read_line(std::string_view prompt,
                                     const std::vector<std::string>& history);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_LINE_EDITOR_H_
