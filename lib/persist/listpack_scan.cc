// scan_hash_listpack: the loaders' shared first pass (see listpack_scan.h).
#include "persist/listpack_scan.h"

#include <algorithm>

#include "encoding/listpack.h"
#include "persist/rdb_format.h"
#include "util/number.h"

namespace hashstore::internal {

LpScan scan_hash_listpack(const uint8_t* lp, size_t stride, int64_t now, const HashLimits& limits,
                          bool ttls_ordered) {
  LpScan s;
  auto problem = [&](LpScanProblem p, uint32_t at) {
    s.problem = p;
    s.problem_at = at;
    return s;
  };
  int64_t last_ttl = -1;
  char buf[kMaxInt64Chars];
  const uint32_t end = lp::end_offset(lp);
  for (uint32_t off = lp::first(lp); off != end;) {
    int64_t ttl = 0;
    for (size_t k = 0; k < stride; ++k) {
      if (off == end) return problem(LpScanProblem::kPartialGroup, off);
      const LpEntry e = lp::get(lp, off);
      if (k == 2) {
        if (!e.is_int || e.int_value < 0 ||
            static_cast<uint64_t>(e.int_value) > rdb::kMaxFieldTtl) {
          return problem(LpScanProblem::kBadTtl, off);
        }
        ttl = e.int_value;
        if (ttls_ordered && ttl != 0 && (last_ttl == 0 || ttl < last_ttl)) {
          return problem(LpScanProblem::kTtlOrder, off);
        }
        last_ttl = ttl;
      } else if (e.is_int) {
        // An integer's text is at most 20 bytes: only a low threshold can
        // be passed by one.
        if (limits.max_listpack_value < kMaxInt64Chars - 1 &&
            lp::get_string(lp, off, buf).size() > limits.max_listpack_value) {
          s.fits = false;
        }
      } else {
        int64_t ignored;
        if (s.canonical && lp::may_be_int(e.str) && parse_int64(e.str, &ignored)) {
          s.canonical = false;
          s.first_noncanonical = off;
        }
        if (e.str.size() > limits.max_listpack_value) s.fits = false;
      }
      off = lp::next(lp, off);
    }
    ++s.groups;
    if (ttl != 0 && ttl <= now) continue;  // due: the loaders drop it
    ++s.live;
    if (ttl != 0) {
      ++s.with_ttl;
      s.earliest = std::min(s.earliest, ttl);
      s.latest = std::max(s.latest, ttl);
    }
  }
  return s;
}

}  // namespace hashstore::internal
