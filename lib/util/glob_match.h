// Glob matching exactly as Redis 7.0's stringmatchlen() matches (KEYS,
// SCAN/HSCAN MATCH, CONFIG GET), checked against redis-server 7.0.15.
//
// Pattern grammar (bytes; NUL is an ordinary byte on both sides):
//   *       any run of bytes, including none; runs of '*' count as one
//   ?       any one byte
//   [set]   one byte of the set; [^set] one byte not in it. Inside a set:
//           \x is the byte x; "a-z" is a range, reversed ranges ("z-a") work
//           too, bytes compare as signed chars as on Redis/x86-64 (so
//           "[\x80-\xff]" is every byte >= 0x80, and "[a-\xff]" is every byte
//           from 0xff (-1) up to 'a'); "[a-]" is the range 'a'..']'; "[]" and
//           "[]]" never match (']' right after '[' closes the set). A set
//           left open ("[ab", "[^", "[\") closes at the end of the pattern.
//   \x      the byte x; a lone trailing '\' matches '\'.
//   other   itself (nocase: ASCII letters fold, as tolower() in the C locale).
//
// Quirks kept from Redis on purpose: an empty string matches only the empty
// pattern. In particular glob_match("*", "") is false, because stringmatchlen
// never enters its loop for an empty string; KEYS/SCAN skip matching when the
// pattern is exactly "*", and callers must do the same to reply as Redis does
// (HSCAN k 0 MATCH * returns the field ""; MATCH ** does not).
//
// Costs: polynomial on every input, O(|pattern| * |str|) per '*' level at
// worst. As in Redis 7.0.9+ (CVE-2022-36021): once a '*' has tried every
// start for the rest of the pattern and failed, every outer '*' gives up, and
// a pattern nested deeper than 1000 '*'s does not match (1000 still can).
// Recursion depth is bounded by that limit. No allocation; thread-safe.
#ifndef HASHSTORE_UTIL_GLOB_MATCH_H_
#define HASHSTORE_UTIL_GLOB_MATCH_H_

#include <string_view>

namespace hashstore::internal {

// Deepest '*' nesting that can still match (Redis: nesting > 1000 fails).
inline constexpr int kMaxGlobNesting = 1000;


// True when str matches pattern under the rules above. nocase folds ASCII
// case (CONFIG GET uses it).
bool glob_match(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_GLOB_MATCH_H_
