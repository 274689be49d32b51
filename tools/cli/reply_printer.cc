// redis-cli --no-raw reply formatting (see reply_printer.h).
#include "reply_printer.h"

#include <cstdio>

namespace hashstore::cli {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
    }
  }
  return out + "\"";
}

namespace {

// prefix: what every line of a nested element after the first starts with.
std::string format(const Reply& r, const std::string& prefix) {
  switch (r.kind()) {
    case Reply::Kind::kError:
      return "(error) " + r.string() + "\n";
    case Reply::Kind::kStatus:
      return r.string() + "\n";
    case Reply::Kind::kInteger:
      return "(integer) " + std::to_string(r.integer()) + "\n";
    case Reply::Kind::kBulk:
      return quote(r.string()) + "\n";
    case Reply::Kind::kNil:
      return "(nil)\n";
    case Reply::Kind::kArray: {
      const auto& elements = r.elements();
      if (elements.empty()) return "(empty array)\n";
      size_t width = 0;
      for (size_t n = elements.size(); n > 0; n /= 10) ++width;
      const std::string nested_prefix = prefix + std::string(width + 2, ' ');
      std::string out;
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += prefix;
        std::string index = std::to_string(i + 1);
        out += std::string(width - index.size(), ' ') + index + ") ";
        out += format(elements[i], nested_prefix);
      }
      return out;
    }
  }
  return "\n";
}

}  // namespace

std::string format_reply(const Reply& reply) { return format(reply, ""); }

}  // namespace hashstore::cli
