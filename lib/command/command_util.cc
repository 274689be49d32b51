// Argument parsers and reply builders of the command layer (see command_util.h).
#include "command/command_util.h"

#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/errors.h"
#include "util/number.h"
#include "util/absl_view.h"

namespace hashstore::internal {


Reply help_reply(std::string_view name, std::initializer_list<const char*> lines) {
  std::vector<Reply> out;
  out.push_back(Reply::status(absl::StrCat(
      to_absl(name), " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")));
  for (const char* l : lines) out.push_back(Reply::status(l));
  out.push_back(Reply::status("HELP"));
  out.push_back(Reply::status("    Prints this help."));
  return Reply::array(std::move(out));
}

const Reply& syntax_error() {
  static const Reply r = Reply::error(kErrSyntax);
  return r;
}

Reply error_from(const absl::Status& s) { return Reply::error(std::string(s.message())); }

Reply arity_error(std::string_view fullname) {
  return Reply::error(wrong_arity_text(fullname));
}

bool iequals(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(to_absl(a), to_absl(b));
}

std::string lower(std::string_view s) {
  std::string out(s);
  absl::AsciiStrToLower(&out);
  return out;
}

// Redis's getLongLongFromObjectOrReply.
bool int_arg(std::string_view s, int64_t* out, Reply* err) {
  if (parse_int64(s, out)) return true;
  *err = Reply::error(kErrNotInteger);
  return false;
}

// Redis's parseScanCursorOrReply: strtoull rules (a sign is accepted and "-1"
// wraps; "" is 0), but no leading space, no trailing bytes, no overflow.
bool cursor_arg(std::string_view s, uint64_t* out, Reply* err) {
  if (parse_cursor(s, out)) return true;
  *err = Reply::error(kErrInvalidCursor);
  return false;
}

// Parses [MATCH p] [COUNT n] [TYPE t] [NOVALUES] from args; which options
// are allowed depends on the command.
bool scan_options(Args args, bool allow_type, bool allow_novalues, ScanOptions* opt, Reply* err) {
  for (size_t i = 0; i < args.size();) {
    const bool has_value = i + 1 < args.size();
    if (iequals(args[i], "count") && has_value) {
      int64_t n;
      if (!int_arg(args[i + 1], &n, err)) return false;
      if (n < 1) {
        *err = syntax_error();
        return false;
      }
      opt->count = n;
      i += 2;
    } else if (iequals(args[i], "match") && has_value) {
      opt->match = args[i + 1];
      i += 2;
    } else if (allow_type && iequals(args[i], "type") && has_value) {
      opt->type = args[i + 1];
      i += 2;
    } else if (allow_novalues && iequals(args[i], "novalues")) {
      opt->novalues = true;
      i += 1;
    } else {
      *err = syntax_error();
      return false;
    }
  }
  return true;
}

Reply scan_reply(const ScanPage& page) {
  std::vector<Reply> out;
  out.push_back(Reply::bulk(std::to_string(page.cursor)));  // unsigned, as Redis prints it
  out.push_back(Reply::bulk_array(page.items));
  return Reply::array(std::move(out));
}

Reply optional_bulk(const std::optional<std::string>& v) {
  return v ? Reply::bulk(*v) : Reply::nil();
}

std::vector<FieldValue> pairs_of(Args args) {
  std::vector<FieldValue> pairs;
  pairs.reserve(args.size() / 2);
  for (size_t i = 0; i + 1 < args.size(); i += 2) pairs.emplace_back(args[i], args[i + 1]);
  return pairs;
}

}  // namespace hashstore::internal
