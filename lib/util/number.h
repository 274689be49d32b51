// Redis-exact number parsing and formatting.
//
// Purpose: every number that crosses the command surface (HINCRBY's
// increment, a field read back as a counter, HINCRBYFLOAT, a SCAN cursor) is
// parsed and printed byte for byte as redis-server 7.0 parses and prints it,
// so the same input gives the same reply or the same error. The listpack also
// uses parse_int64 to decide whether a string is stored as an integer.
//
// Grammar of each parser (s is the whole input; nothing may follow):
//
//   parse_int64   "0" | "-"? [1-9][0-9]*          value in [INT64_MIN, INT64_MAX]
//                 (Redis string2ll: no '+', no spaces, no leading zeros, no
//                 "-0", "" fails; every accepted string is canonical, so
//                 format_int64 gives back the same bytes)
//   parse_uint64  "0" | [1-9][0-9]*                value in [0, UINT64_MAX]
//                 (the unsigned twin of string2ll; no sign at all)
//   parse_cursor  Redis parseScanCursorOrReply: strtoul(s, base 10) on the
//                 C string that s is to Redis, i.e. the bytes before the first
//                 NUL. The first byte must not be white space; then an
//                 optional '+' or '-', digits (leading zeros fine), and then
//                 the end or a NUL byte. "-n" wraps to 2^64 - n. No digits at
//                 all is cursor 0 only when nothing precedes the NUL/end ("",
//                 "\0..."); "+" and "-" fail. More than UINT64_MAX (either
//                 sign) fails. Errors are "ERR invalid cursor".
//   parse_long_double  Redis string2ld: 1 <= size < kMaxLongDoubleChars;
//                 strtold's syntax (decimal, exponent, hex "0x1p3", "inf",
//                 "infinity", any case, optional sign); first byte not white
//                 space; no trailing or NUL bytes; NaN refused; a value that
//                 overflows to +-inf or underflows to 0 refused (a denormal
//                 result is kept). "inf" itself IS accepted: redis-server 7.0
//                 refuses `HINCRBYFLOAT k f inf` at the command, after the
//                 parse, with "ERR value is NaN or Infinity" (while "nan"
//                 fails the parse: "ERR value is not a valid float"); a stored
//                 "inf" parses, and the sum fails with "ERR increment would
//                 produce NaN or Infinity". Those checks belong to the caller.
//   parse_double  Redis string2d (ZADD scores etc.): as parse_long_double but
//                 strtod and double's range, and no length limit.
//
// Formatting:
//   format_int64 / int64_to_string   shortest decimal, '-' for negatives.
//   format_long_double   Redis ld2string(LD_STR_HUMAN): "%.17Lf" on the
//                 80-bit x87 long double, trailing zeros after '.' removed,
//                 then a trailing '.', "-0" printed "0"; +-infinity as "inf" /
//                 "-inf". 19.99 + 0.5 prints "20.49"; 3006.5 + 0.001 prints
//                 "3006.50099999999999989"; 1e4932 prints 4933 digits. The
//                 result of any finite value is at most 4951 bytes, so it
//                 always fits kMaxLongDoubleChars and parses back.
//
// Invariants: every parser leaves *out untouched when it returns false and
// never reads outside s (s need not be NUL-terminated; NUL is an ordinary
// byte that the float parsers refuse, as Redis does).
// Costs: integer parsers and format_int64 are O(size) with no allocation;
// the float parsers copy s once into a stack buffer (a heap buffer for
// parse_double inputs over 511 bytes); format_long_double allocates its
// result. Nothing here keeps state; all functions are thread-safe.
#ifndef HASHSTORE_UTIL_NUMBER_H_
#define HASHSTORE_UTIL_NUMBER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashstore::internal {

// 128-bit integers for exact overflow checks (a GCC/Clang extension).
__extension__ typedef __int128 Int128;

// Longest int64 in decimal ("-9223372036854775808", 20 bytes) plus a spare
// byte for a NUL: Redis's LONG_STR_SIZE.
inline constexpr size_t kMaxInt64Chars = 21;
static_assert(kMaxInt64Chars == sizeof("-9223372036854775808"));

// Redis's MAX_LONG_DOUBLE_CHARS: float strings this long or longer are
// refused by parse_long_double.
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;
static_assert(kMaxLongDoubleChars == 5120);

// Redis string2ll (see the grammar above). Returns true and sets *out when s
// is a canonical int64; false otherwise, *out untouched.
bool parse_int64(std::string_view s, int64_t* out);

// The unsigned twin of string2ll. Returns true and sets *out when s is a
// canonical uint64; false otherwise, *out untouched. Not for SCAN cursors:
// use parse_cursor, which follows Redis's laxer strtoul rule.
bool parse_uint64(std::string_view s, uint64_t* out);

// Redis 7.0 parseScanCursorOrReply (see the grammar above). Returns true and
// sets *out for an accepted cursor; false (reply "ERR invalid cursor")
// otherwise, *out untouched.
bool parse_cursor(std::string_view s, uint64_t* out);

// Writes v in decimal to buf (no terminator); returns the length, at most
// kMaxInt64Chars - 1.
// REQUIRES: buf has room for kMaxInt64Chars bytes.
size_t format_int64(int64_t v, char* buf);

// format_int64 into a new string.
std::string int64_to_string(int64_t v);

// Redis string2ld (see the grammar above). Returns true and sets *out when
// accepted (finite or +-inf, never NaN); false otherwise, *out untouched.
bool parse_long_double(std::string_view s, long double* out);

// Redis ld2string(..., LD_STR_HUMAN). Never fails; NaN (which no parser here
// produces and HINCRBYFLOAT refuses) prints as printf prints it.
std::string format_long_double(long double v);

// Redis string2d, as getDoubleFromObject uses it. Returns true and sets *out
// when accepted (finite or +-inf, never NaN); false otherwise, *out untouched.
bool parse_double(std::string_view s, double* out);

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_NUMBER_H_
