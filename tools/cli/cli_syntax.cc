// redis-cli's line handling (see cli_syntax.h).
#include "cli_syntax.h"

#include <cstdint>
#include <limits>

namespace hashstore::cli {

namespace {

// C's isspace in the "C" locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// What ends an unquoted argument (a narrower set than is_space).
bool ends_plain_word(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// s up to its first NUL: what C code sees of it.
std::string_view as_c_string(std::string_view s) { return s.substr(0, s.find('\0')); }

// Reads one argument starting at line[*i] (not white space); advances *i
// past it. false when the line is invalid.
bool read_word(std::string_view line, size_t* i, std::string* word) {
  const size_t n = line.size();
  size_t p = *i;
  enum class Mode { kPlain, kDouble, kSingle } mode = Mode::kPlain;
  for (;;) {
    if (mode == Mode::kPlain) {
      if (p >= n || ends_plain_word(line[p])) break;
      const char c = line[p++];
      if (c == '"') {
        mode = Mode::kDouble;
      } else if (c == '\'') {
        mode = Mode::kSingle;
      } else {
        *word += c;
      }
      continue;
    }
    if (p >= n) return false;  // unterminated quote
    const char c = line[p];
    const char quote = mode == Mode::kDouble ? '"' : '\'';
    if (c == quote) {
      // The closing quote must be followed by white space or the end.
      if (p + 1 < n && !is_space(line[p + 1])) return false;
      ++p;
      break;
    }
    if (mode == Mode::kDouble && c == '\\' && p + 3 < n && line[p + 1] == 'x' &&
        hex_value(line[p + 2]) >= 0 && hex_value(line[p + 3]) >= 0) {
      *word += static_cast<char>(hex_value(line[p + 2]) * 16 + hex_value(line[p + 3]));
      p += 4;
    } else if (mode == Mode::kDouble && c == '\\' && p + 1 < n) {
      const char e = line[p + 1];
      switch (e) {
        case 'n': *word += '\n'; break;
        case 'r': *word += '\r'; break;
        case 't': *word += '\t'; break;
        case 'b': *word += '\b'; break;
        case 'a': *word += '\a'; break;
        default: *word += e; break;
      }
      p += 2;
    } else if (mode == Mode::kSingle && c == '\\' && p + 1 < n && line[p + 1] == '\'') {
      *word += '\'';
      p += 2;
    } else {
      *word += c;
      ++p;
    }
  }
  *i = p;
  return true;
}

// strtol(s, &end, 10) as redis-cli uses it for the repeat count: whether the
// whole of s was consumed, the value, and whether it was out of range.
struct CountParse {
  bool whole = false;
  bool out_of_range = false;
  int64_t value = 0;
};

CountParse parse_count(std::string_view s) {
  CountParse r;
  size_t p = 0;
  while (p < s.size() && is_space(s[p])) ++p;
  bool negative = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) negative = s[p++] == '-';
  const size_t digits = p;
  // Accumulate as a negative number so INT64_MIN fits.
  int64_t v = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p) {
    const int d = s[p] - '0';
    if (v < (kMin + d) / 10) {
      r.out_of_range = true;
    } else {
      v = v * 10 - d;
    }
  }
  if (p == digits) {
    // No digits: strtol reports the start of s as the end.
    r.whole = s.empty();
    return r;
  }
  r.whole = p == s.size();
  if (!negative && v == kMin) r.out_of_range = true;
  if (r.out_of_range) {
    r.value = negative ? kMin : std::numeric_limits<int64_t>::max();
  } else {
    r.value = negative ? v : -v;
  }
  return r;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> split_args(std::string_view line) {
  line = as_c_string(line);
  std::vector<std::string> args;
  size_t i = 0;
  for (;;) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size()) return args;
    std::string word;
    if (!read_word(line, &i, &word)) return std::nullopt;
    args.push_back(std::move(word));
  }
}

LineCommand parse_line(std::string_view line) {
  LineCommand out;
  auto args = split_args(line);
  if (!args) {
    out.kind = LineCommand::Kind::kInvalidArgs;
    return out;
  }
  if (args->empty()) return out;  // kNothing
  if (args->size() > 1) {
    const CountParse count = parse_count(as_c_string((*args)[0]));
    if (count.whole) {
      if (count.out_of_range || count.value <= 0) {
        out.kind = LineCommand::Kind::kInvalidRepeat;
        return out;
      }
      out.repeat = count.value;
      args->erase(args->begin());
      // redis-cli tests quit/exit on the line's first word, which here was
      // the count: "2 quit" sends QUIT twice instead of leaving.
      out.kind = LineCommand::Kind::kRun;
      out.args = std::move(*args);
      return out;
    }
  }
  const std::string_view first = as_c_string((*args)[0]);
  if (equals_ignoring_case(first, "quit") || equals_ignoring_case(first, "exit")) {
    out.kind = LineCommand::Kind::kQuit;
    return out;
  }
  out.kind = LineCommand::Kind::kRun;
  out.args = std::move(*args);
  return out;
}

}  // namespace hashstore::cli
