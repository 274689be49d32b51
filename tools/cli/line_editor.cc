// The interactive line editor (see line_editor.h).
#include "line_editor.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace hashstore::cli {

Key decode_key(std::string_view b, size_t* used, char* ch) {
  *used = 0;
  if (b.empty()) return Key::kIgnore;
  const unsigned char c = static_cast<unsigned char>(b[0]);
  *used = 1;
  switch (c) {
    case 1: return Key::kHome;         // ctrl-a
    case 2: return Key::kLeft;         // ctrl-b
    case 3: return Key::kInterrupt;    // ctrl-c
    case 4: return Key::kEof;          // ctrl-d
    case 5: return Key::kEnd;          // ctrl-e
    case 6: return Key::kRight;        // ctrl-f
    case 8: case 127: return Key::kBackspace;
    case 11: return Key::kKillToEnd;   // ctrl-k
    case 14: return Key::kDown;        // ctrl-n
    case 16: return Key::kUp;          // ctrl-p
    case 21: return Key::kKillToStart; // ctrl-u
    case 23: return Key::kKillWord;    // ctrl-w
    case '\r': case '\n': return Key::kEnter;
    case 27: {
      if (b.size() < 3) {
        *used = 0;  // wait for the rest of the sequence
        return Key::kIgnore;
      }
      if (b[1] != '[' && b[1] != 'O') {
        *used = 2;
        return Key::kIgnore;
      }
      *used = 3;
      switch (b[2]) {
        case 'A': return Key::kUp;
        case 'B': return Key::kDown;
        case 'C': return Key::kRight;
        case 'D': return Key::kLeft;
        case 'H': return Key::kHome;
        case 'F': return Key::kEnd;
        case '3':
          if (b.size() < 4) {
            *used = 0;
            return Key::kIgnore;
          }
          *used = 4;  // ESC [ 3 ~
          return Key::kDelete;
        default: return Key::kIgnore;
      }
    }
    default:
      if (c < 32) return Key::kIgnore;
      *ch = static_cast<char>(c);
      return Key::kChar;
  }
}

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
      size_t start = cursor_;
      while (start > 0 && text_[start - 1] == ' ') --start;
      while (start > 0 && text_[start - 1] != ' ') --start;
      text_.erase(start, cursor_ - start);
      cursor_ = start;
      break;
    }
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
    case Key::kEof:
    case Key::kInterrupt:
    case Key::kIgnore:
      break;
  }
  return false;
}

namespace {

// Puts the terminal in raw mode for its lifetime.
class RawMode {
 public:
  RawMode() {
    ok_ = tcgetattr(STDIN_FILENO, &saved_) == 0;
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
  bool ok() const { return ok_; }

 private:
  termios saved_{};
  bool ok_ = false;
};

void redraw(std::string_view prompt, const LineBuffer& buf) {
  std::string out = "\r";
  out += prompt;
  out += buf.text();
  out += "\x1b[0K";  // erase to the end of the line
  out += "\r\x1b[" + std::to_string(prompt.size() + buf.cursor()) + "C";
  if (prompt.size() + buf.cursor() == 0) out.resize(out.size() - 4);  // no move
  ssize_t ignored = write(STDOUT_FILENO, out.data(), out.size());
  (void)ignored;
}

}  // namespace

std::optional<std::string> read_line(std::string_view prompt,
                                     const std::vector<std::string>& history) {
  RawMode raw;
  if (!raw.ok()) return std::nullopt;
  LineBuffer buf(&history);
  redraw(prompt, buf);
  std::string pending;
  char c;
  while (read(STDIN_FILENO, &c, 1) == 1) {
    pending += c;
    for (;;) {
      size_t used;
      char ch = 0;
      const Key key = decode_key(pending, &used, &ch);
      if (used == 0) break;
      pending.erase(0, used);
      if (key == Key::kInterrupt || (key == Key::kEof && buf.text().empty())) {
        ssize_t ignored = write(STDOUT_FILENO, "\r\n", 2);
        (void)ignored;
        return std::nullopt;
      }
      if (buf.apply(key, ch)) {
        ssize_t ignored = write(STDOUT_FILENO, "\r\n", 2);
        (void)ignored;
        return buf.text();
      }
      redraw(prompt, buf);
    }
  }
  return std::nullopt;
}

}  // namespace hashstore::cli
