// redis-cli's line splitting (see cli_syntax.h).
#include "cli_syntax.h"

namespace hashstore::cli {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::vector<std::string>> split_args(std::string_view line) {
  std::vector<std::string> args;
  size_t i = 0;
  const size_t n = line.size();
  for (;;) {
    while (i < n && is_space(line[i])) ++i;
    if (i >= n) return args;
    std::string word;
    enum { kPlain, kDouble, kSingle } mode = kPlain;
    for (bool done = false; !done;) {
      if (mode == kDouble) {
        if (i >= n) return std::nullopt;  // unterminated quotes
        const char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && hex_value(line[i + 2]) >= 0 &&
            hex_value(line[i + 3]) >= 0) {
          word += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
          i += 4;
          continue;
        }
        if (c == '\\' && i + 1 < n) {
          const char e = line[i + 1];
          switch (e) {
            case 'n': word += '\n'; break;
            case 'r': word += '\r'; break;
            case 't': word += '\t'; break;
            case 'b': word += '\b'; break;
            case 'a': word += '\a'; break;
            default: word += e; break;
          }
          i += 2;
          continue;
        }
        if (c == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !is_space(line[i + 1])) return std::nullopt;
          ++i;
          done = true;
          continue;
        }
        word += c;
        ++i;
      } else if (mode == kSingle) {
        if (i >= n) return std::nullopt;
        const char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          word += '\'';
          i += 2;
          continue;
        }
        if (c == '\'') {
          if (i + 1 < n && !is_space(line[i + 1])) return std::nullopt;
          ++i;
          done = true;
          continue;
        }
        word += c;
        ++i;
      } else {
        if (i >= n) {
          done = true;
          continue;
        }
        const char c = line[i];
        if (is_space(c) || c == '\0') {
          done = true;
        } else if (c == '"') {
          mode = kDouble;
          ++i;
        } else if (c == '\'') {
          mode = kSingle;
          ++i;
        } else {
          word += c;
          ++i;
        }
      }
    }
    args.push_back(std::move(word));
  }
}

}  // namespace hashstore::cli
