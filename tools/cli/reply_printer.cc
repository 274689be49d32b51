// redis-cli --no-raw reply formatting (see reply_printer.h).
#include "reply_printer.h"

#include <cctype>
#include <cstring>

namespace hashstore::cli {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// What printf("%s") shows of s.
std::string_view as_c_string(std::string_view s) { return s.substr(0, s.find('\0')); }

// Appends r to out. indent: what every line of r after its first starts
// with (the first line follows its index, already written).
void append(const Reply& r, const std::string& indent, std::string* out) {
  switch (r.kind()) {
    case Reply::Kind::kError:
      *out += "(error) ";
      *out += as_c_string(r.string());
      *out += '\n';
      return;
    case Reply::Kind::kStatus:
      *out += as_c_string(r.string());
      *out += '\n';
      return;
    case Reply::Kind::kInteger:
      *out += "(integer) ";
      *out += std::to_string(r.integer());
      *out += '\n';
      return;
    case Reply::Kind::kBulk:
      *out += quote(r.string());
      *out += '\n';
      return;
    case Reply::Kind::kNil:
      *out += "(nil)\n";
      return;
    case Reply::Kind::kArray: {
      const auto& elements = r.elements();
      if (elements.empty()) {
        *out += "(empty array)\n";
        return;
      }
      size_t width = 0;
      for (size_t n = elements.size(); n > 0; n /= 10) ++width;
      const std::string nested_indent = indent + std::string(width + 2, ' ');
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) *out += indent;
        const std::string index = std::to_string(i + 1);
        out->append(width - index.size(), ' ');
        *out += index;
        *out += ") ";
        append(elements[i], nested_indent, out);
      }
      return;
    }
  }
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c <= 0x7e) {
          out += ch;
        } else {
          out += "\\x";
          out += kHexDigits[c >> 4];
          out += kHexDigits[c & 0xf];
        }
    }
  }
  out += '"';
  return out;
}

std::string format_reply(const Reply& reply) {
  std::string out;
  append(reply, "", &out);
  return out;
}

bool prints_raw(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  auto is = [&](size_t i, const char* name) {
    const std::string& a = args[i];
    if (a.size() != std::strlen(name)) return false;
    for (size_t j = 0; j < a.size(); ++j) {
      if (std::tolower(static_cast<unsigned char>(a[j])) != name[j]) return false;
    }
    return true;
  };
  const size_t argc = args.size();
  return is(0, "info") || is(0, "lolwut") ||
         (argc >= 2 && is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key"))) ||
         (argc >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor"))) ||
         (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info"))) ||
         (argc >= 2 && is(0, "client") && (is(1, "list") || is(1, "info"))) ||
         (argc == 3 && is(0, "latency") && is(1, "graph")) ||
         (argc == 2 && is(0, "latency") && is(1, "doctor")) ||
         (argc >= 2 && is(0, "proxy") && is(1, "info"));
}

namespace {

void append_raw(const Reply& r, std::string* out) {
  switch (r.kind()) {
    case Reply::Kind::kInteger:
      *out += std::to_string(r.integer());
      break;
    case Reply::Kind::kArray:
      for (size_t i = 0; i < r.elements().size(); ++i) {
        if (i > 0) *out += '\n';
        append_raw(r.elements()[i], out);
      }
      break;
    case Reply::Kind::kNil:
      break;
    default:  // status, error, bulk: the bytes
      *out += r.string();
  }
}

}  // namespace

std::string format_reply_raw(const Reply& reply) {
  std::string out;
  append_raw(reply, &out);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace hashstore::cli
