// The interactive line editor (see line_editor.h).
#include "line_editor.h"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hashstore::cli {

// ---- Decoding keys -----------------------------------------------------------

namespace {

constexpr char kEsc = 0x1b;

constexpr char ctrl(char letter) { return static_cast<char>(letter & 0x1f); }
static_assert(ctrl('a') == 1 && ctrl('w') == 23, "ctrl-letter is the letter's low five bits");

// A control sequence's final byte ends it (ECMA-48: 0x40..0x7e).
bool is_final_byte(char c) { return c >= 0x40 && c <= 0x7e; }

// The key of "ESC [ params final" (params without the brackets).
Key csi_key(std::string_view params, char final) {
  // Modifiers ("1;5C" is ctrl-right) change nothing here: keep the first number.
  const std::string_view first = params.substr(0, params.find(';'));
  switch (final) {
    case 'A': return Key::kUp;
    case 'B': return Key::kDown;
    case 'C': return Key::kRight;
    case 'D': return Key::kLeft;
    case 'H': return Key::kHome;
    case 'F': return Key::kEnd;
    case '~':
      if (first == "1" || first == "7") return Key::kHome;
      if (first == "4" || first == "8") return Key::kEnd;
      if (first == "3") return Key::kDelete;
      return Key::kIgnore;
    default: return Key::kIgnore;
  }
}

}  // namespace

Key decode_key(std::string_view b, size_t* used, char* ch) {
  *used = 0;
  if (b.empty()) return Key::kIgnore;
  const char c = b[0];
  if (c != kEsc) {
    *used = 1;
    switch (c) {
      case ctrl('a'): return Key::kHome;
      case ctrl('b'): return Key::kLeft;
      case ctrl('c'): return Key::kInterrupt;
      case ctrl('d'): return Key::kEof;
      case ctrl('e'): return Key::kEnd;
      case ctrl('f'): return Key::kRight;
      case ctrl('h'): case 0x7f: return Key::kBackspace;
      case ctrl('k'): return Key::kKillToEnd;
      case ctrl('l'): return Key::kClearScreen;
      case ctrl('n'): return Key::kDown;
      case ctrl('p'): return Key::kUp;
      case ctrl('t'): return Key::kTranspose;
      case ctrl('u'): return Key::kKillToStart;
      case ctrl('w'): return Key::kKillWord;
      case '\r': case '\n': return Key::kEnter;
      default:
        if (static_cast<unsigned char>(c) < 0x20) return Key::kIgnore;  // tab and the rest
        *ch = c;
        return Key::kChar;
    }
  }
  if (b.size() < 2) return Key::kIgnore;  // *used == 0: wait for more
  if (b[1] == 'O') {                      // SS3: ESC O final
    if (b.size() < 3) return Key::kIgnore;
    *used = 3;
    return csi_key("", b[2]);
  }
  if (b[1] != '[') {  // alt-<key>: not bound
    *used = 2;
    return Key::kIgnore;
  }
  for (size_t i = 2; i < b.size(); ++i) {
    if (is_final_byte(b[i])) {
      *used = i + 1;
      return csi_key(b.substr(2, i - 2), b[i]);
    }
    if (b[i] < 0x20 || b[i] > 0x3f) {  // not a parameter byte: broken sequence
      *used = i;
      return Key::kIgnore;
    }
  }
  return Key::kIgnore;  // *used == 0: the sequence goes on
}

// ---- Editing -----------------------------------------------------------------

bool LineBuffer::apply(Key key, char ch) {
  switch (key) {
    case Key::kChar:
      text_.insert(cursor_++, 1, ch);
      break;
    case Key::kLeft:
      if (cursor_ > 0) --cursor_;
      break;
    case Key::kRight:
      if (cursor_ < text_.size()) ++cursor_;
      break;
    case Key::kHome:
      cursor_ = 0;
      break;
    case Key::kEnd:
      cursor_ = text_.size();
      break;
    case Key::kBackspace:
      if (cursor_ > 0) text_.erase(--cursor_, 1);
      break;
    case Key::kDelete:
    case Key::kEof:
      if (cursor_ < text_.size()) text_.erase(cursor_, 1);
      break;
    case Key::kKillToEnd:
      text_.erase(cursor_);
      break;
    case Key::kKillToStart:
      text_.erase(0, cursor_);
      cursor_ = 0;
      break;
    case Key::kKillWord: {
      // The spaces left of the cursor, then the word before them.
      size_t start = cursor_;
      while (start > 0 && text_[start - 1] == ' ') --start;
      while (start > 0 && text_[start - 1] != ' ') --start;
      text_.erase(start, cursor_ - start);
      cursor_ = start;
      break;
    }
    case Key::kTranspose:
      // As linenoise: swaps the bytes left of and under the cursor, then
      // steps right unless that would leave the line's last byte.
      if (cursor_ > 0 && cursor_ < text_.size()) {
        std::swap(text_[cursor_ - 1], text_[cursor_]);
        if (cursor_ != text_.size() - 1) ++cursor_;
      }
      break;
    case Key::kUp:
    case Key::kDown: {
      if (history_ == nullptr || history_->empty()) break;
      if (history_pos_ == history_->size()) draft_ = text_;
      if (key == Key::kUp && history_pos_ > 0) --history_pos_;
      if (key == Key::kDown && history_pos_ < history_->size()) ++history_pos_;
      text_ = history_pos_ == history_->size() ? draft_ : (*history_)[history_pos_];
      cursor_ = text_.size();
      break;
    }
    case Key::kEnter:
      return true;
    case Key::kInterrupt:
    case Key::kClearScreen:
    case Key::kIgnore:
      break;
  }
  return false;
}

VisiblePart visible_part(size_t prompt_size, size_t text_size, size_t cursor, size_t cols) {
  // Columns for the text; at least one so the cursor has somewhere to be.
  const size_t room = cols > prompt_size ? cols - prompt_size : 1;
  VisiblePart v;
  v.start = cursor >= room ? cursor - room + 1 : 0;
  v.size = std::min(text_size - v.start, room);
  v.cursor_column = prompt_size + (cursor - v.start);
  return v;
}

void add_to_history(std::vector<std::string>* history, std::string_view line, size_t max_size) {
  if (line.empty() || max_size == 0) return;
  if (!history->empty() && history->back() == line) return;
  if (history->size() >= max_size) history->erase(history->begin());
  history->emplace_back(line);
}

// ---- The terminal --------------------------------------------------------------

namespace {

// The terminal in raw mode for the object's lifetime.
class RawMode {
 public:
  RawMode() {
    ok_ = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (!ok_) return;
    termios raw = saved_;
    raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_cflag |= CS8;
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ok_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
  }
  ~RawMode() {
    if (ok_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;
  bool ok() const { return ok_; }

 private:
  termios saved_{};
  bool ok_ = false;
};

void write_all(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(STDOUT_FILENO, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

size_t terminal_columns() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void redraw(std::string_view prompt, const LineBuffer& buf) {
  const VisiblePart v = visible_part(prompt.size(), buf.text().size(), buf.cursor(),
                                     terminal_columns());
  std::string out = "\r";
  out += prompt;
  out.append(buf.text(), v.start, v.size);
  out += "\x1b[0K";  // erase to the end of the line
  out += "\r";
  if (v.cursor_column > 0) out += "\x1b[" + std::to_string(v.cursor_column) + "C";
  write_all(out);
}

}  // namespace

std::optional<std::string> read_line(std::string_view prompt,
                                     const std::vector<std::string>& history) {
  RawMode raw;
  if (!raw.ok()) return std::nullopt;
  LineBuffer buf(&history);
  redraw(prompt, buf);
  std::string pending;
  for (;;) {
    char c;
    const ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) break;  // end of input
    pending += c;
    for (;;) {
      size_t used;
      char ch = 0;
      const Key key = decode_key(pending, &used, &ch);
      if (used == 0) break;
      pending.erase(0, used);
      if (key == Key::kInterrupt || (key == Key::kEof && buf.text().empty())) {
        write_all("\r\n");
        return std::nullopt;
      }
      if (key == Key::kClearScreen) write_all("\x1b[H\x1b[2J");
      if (buf.apply(key, ch)) {
        write_all("\r\n");
        return buf.text();
      }
      redraw(prompt, buf);
    }
  }
  write_all("\r\n");
  return std::nullopt;
}

}  // namespace hashstore::cli
