// Redis's error texts, in one place: every layer that returns one (as the
// message of an absl::Status, or in a command Reply) takes it from here, so
// a text is written once and the compatibility suite's comparisons with a
// real redis-server pin it once. Texts used by a single command's parser
// (field_ttl_cmds.cc, counter_cmds.cc, ...) stay beside that parser.
//
// A text starts with Redis's error code ("ERR", "OOM", "EXECABORT"), as
// Reply::error requires.
#ifndef HASHSTORE_UTIL_ERRORS_H_
#define HASHSTORE_UTIL_ERRORS_H_

#include <string>
#include <string_view>

namespace hashstore::internal {

// ---- Arguments --------------------------------------------------------------
inline constexpr char kErrSyntax[] = "ERR syntax error";
inline constexpr char kErrNotInteger[] = "ERR value is not an integer or out of range";
inline constexpr char kErrNotFloat[] = "ERR value is not a valid float";
inline constexpr char kErrOutOfRange[] = "ERR value is out of range";
inline constexpr char kErrInvalidCursor[] = "ERR invalid cursor";

// ---- Values stored in a hash (HINCRBY, HINCRBYFLOAT, HRESERVE, ...) ---------
inline constexpr char kErrHashNotInteger[] = "ERR hash value is not an integer";
inline constexpr char kErrOverflow[] = "ERR increment or decrement would overflow";
inline constexpr char kErrHashNotFloat[] = "ERR hash value is not a float";
inline constexpr char kErrIncrNanInf[] = "ERR increment would produce NaN or Infinity";
inline constexpr char kErrValueNanInf[] = "ERR value is NaN or Infinity";

// ---- Keys and the server ----------------------------------------------------
inline constexpr char kErrNoSuchKey[] = "ERR no such key";
inline constexpr char kErrOom[] = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr char kErrExecAbort[] =
    "EXECABORT Transaction discarded because of previous errors.";

// "ERR wrong number of arguments for '<command>' command": a command given
// too few or too many arguments, or a Store call given an empty list.
inline std::string wrong_arity_text(std::string_view command) {
  std::string out = "ERR wrong number of arguments for '";
  out.append(command);
  out += "' command";
  return out;
}

// "ERR invalid expire time in '<command>' command": a TTL that overflows.
inline std::string invalid_expire_time_text(std::string_view command) {
  std::string out = "ERR invalid expire time in '";
  out.append(command);
  out += "' command";
  return out;
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_ERRORS_H_
