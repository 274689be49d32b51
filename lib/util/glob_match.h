// Glob matching with Redis 7.0's pattern rules (KEYS, SCAN/HSCAN MATCH,
// CONFIG GET):
//   *      any run of bytes, including none
//   ?      any one byte
//   [abc]  one byte of the set; [^abc] one byte not in it; [a-z] a range
//          (reversed ranges like [z-a] work too); \x inside a set is x
//   \x     the byte x itself
// Everything is binary-safe. Redis's quirks are kept: a set left open ("[ab")
// matches as if closed at the end of the pattern, "[a-]" is the range a..']',
// and bytes in ranges compare as signed chars, as Redis compares them on x86.
// Abusive patterns ("a*a*a*...b") cost polynomial, not exponential, time:
// once a '*' has tried every start for the rest of the pattern, outer '*'s
// give up; and nesting deeper than 1000 '*'s does not match, as in Redis.
#ifndef HASHSTORE_UTIL_GLOB_MATCH_H_
#define HASHSTORE_UTIL_GLOB_MATCH_H_

#include <string_view>

namespace hashstore::internal {

// True when str matches pattern. nocase folds ASCII case (CONFIG GET uses it).
bool glob_match(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_GLOB_MATCH_H_
