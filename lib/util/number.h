// Redis-exact number parsing and formatting.
//
// parse_int64 is Redis's strict string2ll: an optional '-', then digits with
// no leading zero ("0" alone is fine); no '+', no spaces, no "-0", nothing
// after the digits, and the value must fit in int64. It is how HINCRBY reads
// both its argument and the field's value, and how a listpack decides that a
// string is stored as an integer (canonical strings only, so they read back
// byte for byte).
//
// parse_long_double / format_long_double are Redis 7's string2ld and
// ld2string(LD_STR_HUMAN) on the 80-bit x87 long double: strtold's syntax
// (decimal, exponent, hex floats, "inf"), but no leading space, no trailing
// bytes, no NaN, and an overflow to infinity or an underflow to zero refused;
// printed with "%.17Lf", trailing zeros and a trailing '.' removed, "-0" as
// "0", infinities as "inf" / "-inf". So 19.99 + 0.5 prints "20.49" and
// 3006.5 + 0.001 prints "3006.50099999999999989".
#ifndef HASHSTORE_UTIL_NUMBER_H_
#define HASHSTORE_UTIL_NUMBER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashstore::internal {

// 128-bit integers for exact overflow checks (a GCC/Clang extension).
__extension__ typedef __int128 Int128;

// Longest int64 in decimal ("-9223372036854775808") plus a spare byte.
inline constexpr size_t kMaxInt64Chars = 21;
// Redis's MAX_LONG_DOUBLE_CHARS: longer float strings are refused.
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Redis string2ll. On failure *out is untouched.
bool parse_int64(std::string_view s, int64_t* out);

// Writes v in decimal to buf (no terminator); returns the length.
// REQUIRES: buf has kMaxInt64Chars bytes.
size_t format_int64(int64_t v, char* buf);
std::string int64_to_string(int64_t v);

// Redis string2ld. On failure *out is untouched.
bool parse_long_double(std::string_view s, long double* out);

// Redis ld2string(..., LD_STR_HUMAN).
std::string format_long_double(long double v);

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_NUMBER_H_
