// RdbInput: chunked reading, CRC, and the RDB primitives (see rdb_input.h).
#include "persist/rdb_input.h"

#include <lzf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "persist/rdb_crc64.h"
#include "persist/rdb_format.h"
#include "util/absl_view.h"

namespace hashstore::internal::rdb {

namespace {

constexpr size_t kChunk = size_t{256} << 10;
// LZF's best case: a 3-byte back-reference copies 264 bytes.
constexpr uint64_t kLzfMaxExpansion = 88;

}  // namespace

RdbInput::RdbInput(int fd, uint64_t size) : fd_(fd), size_(size) {
  cur_ = end_ = crc_from_ = buf_.data();
}

RdbInput::RdbInput(std::string_view bytes) : size_(bytes.size()) {
  cur_ = crc_from_ = reinterpret_cast<const uint8_t*>(bytes.data());
  end_ = cur_ + bytes.size();
}

RdbInput::~RdbInput() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status RdbInput::error(uint64_t at, std::string_view what) {
  return absl::DataLossError(absl::StrCat(to_absl(what), " at byte ", at));
}

absl::Status RdbInput::need(uint64_t n, std::string_view what) const {
  if (n <= left()) return absl::OkStatus();
  return error(pos_, absl::StrCat("truncated: ", to_absl(what), " needs ", n, " bytes, ",
                                  left(), " left"));
}

absl::Status RdbInput::fill(size_t n) {
  if (fd_ < 0) return error(pos_, "read past the end");  // callers check left() first
  if (crc_on_) crc_ = crc64_update(crc_, crc_from_, static_cast<size_t>(cur_ - crc_from_));
  const size_t have = static_cast<size_t>(end_ - cur_);
  const size_t want = std::max(n, std::min<size_t>(kChunk, static_cast<size_t>(left())));
  if (buf_.size() < want) {
    std::vector<uint8_t> bigger(std::max(want, kChunk));
    if (have > 0) std::memcpy(bigger.data(), cur_, have);
    buf_.swap(bigger);
  } else if (have > 0) {
    std::memmove(buf_.data(), cur_, have);
  }
  // Read up to a full buffer, never past the file's size.
  const size_t target = static_cast<size_t>(std::min<uint64_t>(buf_.size(), left()));
  size_t got = have;
  while (got < target) {
    const ssize_t r = ::read(fd_, buf_.data() + got, target - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return error(pos_ + got, std::strerror(errno));
    if (r == 0) return error(pos_ + got, "the file shrank while it was read");
    got += static_cast<size_t>(r);
  }
  cur_ = crc_from_ = buf_.data();
  end_ = cur_ + got;
  return absl::OkStatus();
}

uint64_t RdbInput::crc() {
  if (!crc_on_) return 0;
  crc_ = crc64_update(crc_, crc_from_, static_cast<size_t>(cur_ - crc_from_));
  crc_from_ = cur_;
  return crc_;
}

absl::Status RdbInput::read_u8(uint8_t* v) {
  if (left() < 1) return need(1, "a byte");
  const uint8_t* p;
  if (absl::Status st = take(1, &p); !st.ok()) return st;
  *v = *p;
  return absl::OkStatus();
}

absl::Status RdbInput::read_le(size_t n, uint64_t* v) {
  if (absl::Status st = need(n, n == 4 ? "a 32-bit integer" : "a 64-bit integer"); !st.ok()) {
    return st;
  }
  const uint8_t* p;
  if (absl::Status st = take(n, &p); !st.ok()) return st;
  uint64_t u = 0;
  for (size_t i = n; i-- > 0;) u = u << 8 | p[i];
  *v = u;
  return absl::OkStatus();
}

absl::Status RdbInput::read_le32(int32_t* v) {
  uint64_t u = 0;
  absl::Status st = read_le(4, &u);
  *v = static_cast<int32_t>(static_cast<uint32_t>(u));
  return st;
}

absl::Status RdbInput::read_le64(int64_t* v) {
  uint64_t u = 0;
  absl::Status st = read_le(8, &u);
  *v = static_cast<int64_t>(u);
  return st;
}

absl::Status RdbInput::len_or_encoding(uint64_t* v, int* encoding, std::string_view what) {
  const uint64_t at = pos_;
  if (left() < 1) return need(1, what);
  const uint8_t* p;
  if (absl::Status st = take(1, &p); !st.ok()) return st;
  const uint8_t b = *p;
  *encoding = -1;
  switch (b >> 6) {
    case 0:
      *v = b & 0x3F;
      return absl::OkStatus();
    case 1:
      if (absl::Status st = need(1, what); !st.ok()) return st;
      if (absl::Status st = take(1, &p); !st.ok()) return st;
      *v = static_cast<uint64_t>(b & 0x3F) << 8 | *p;
      return absl::OkStatus();
    case 3:
      *encoding = b & 0x3F;
      return absl::OkStatus();
    default:
      break;
  }
  size_t n;
  if (b == kLen32Bit) {
    n = 4;
  } else if (b == kLen64Bit) {
    n = 8;
  } else {
    return error(at, absl::StrFormat("unknown length encoding 0x%02x in %s", b, to_absl(what)));
  }
  if (absl::Status st = need(n, what); !st.ok()) return st;
  if (absl::Status st = take(n, &p); !st.ok()) return st;
  uint64_t u = 0;
  for (size_t i = 0; i < n; ++i) u = u << 8 | p[i];  // big-endian
  *v = u;
  return absl::OkStatus();
}

absl::Status RdbInput::read_len(uint64_t* v, std::string_view what) {
  const uint64_t at = pos_;
  int enc;
  if (absl::Status st = len_or_encoding(v, &enc, what); !st.ok()) return st;
  if (enc >= 0) return error(at, absl::StrCat(to_absl(what), ": a string encoding where a length belongs"));
  return absl::OkStatus();
}

absl::Status RdbInput::lzf_sizes(uint64_t at, std::string_view what, uint64_t* clen,
                                 uint64_t* ulen) {
  if (absl::Status st = read_len(clen, what); !st.ok()) return st;
  if (absl::Status st = read_len(ulen, what); !st.ok()) return st;
  if (*clen > left()) {
    return error(at, absl::StrCat(to_absl(what), ": LZF data of ", *clen, " bytes exceeds the ",
                                  left(), " bytes left"));
  }
  // liblzf takes unsigned int sizes.
  if (*clen == 0 || *ulen == 0 || *clen > UINT_MAX || *ulen > UINT_MAX ||
      *ulen > *clen * kLzfMaxExpansion) {
    return error(at, absl::StrCat(to_absl(what), ": LZF sizes ", *clen, " -> ", *ulen,
                                  " are impossible"));
  }
  return absl::OkStatus();
}

absl::Status RdbInput::read_string(std::string_view* out, std::string_view what) {
  const uint64_t at = pos_;
  uint64_t len;
  int enc;
  if (absl::Status st = len_or_encoding(&len, &enc, what); !st.ok()) return st;
  const uint8_t* p;
  if (enc < 0) {
    if (len > left()) {
      return error(at, absl::StrCat(to_absl(what), " of ", len, " bytes exceeds the ", left(),
                                    " bytes left"));
    }
    if (absl::Status st = take(static_cast<size_t>(len), &p); !st.ok()) return st;
    *out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    return absl::OkStatus();
  }
  if (enc <= kEncInt32) {
    const size_t n = size_t{1} << enc;  // 1, 2 or 4 bytes, little-endian
    if (absl::Status st = need(n, what); !st.ok()) return st;
    if (absl::Status st = take(n, &p); !st.ok()) return st;
    uint32_t u = 0;
    for (size_t i = n; i-- > 0;) u = u << 8 | p[i];
    const int shift = static_cast<int>(32 - 8 * n);
    const int64_t v = static_cast<int32_t>(u << shift) >> shift;
    scratch_ = std::to_string(v);
    *out = scratch_;
    return absl::OkStatus();
  }
  if (enc != kEncLzf) {
    return error(at, absl::StrFormat("unknown string encoding %d in %s", enc, to_absl(what)));
  }
  uint64_t clen, ulen;
  if (absl::Status st = lzf_sizes(at, what, &clen, &ulen); !st.ok()) return st;
  if (absl::Status st = take(static_cast<size_t>(clen), &p); !st.ok()) return st;
  scratch_.resize(static_cast<size_t>(ulen));
  const unsigned got = lzf_decompress(p, static_cast<unsigned>(clen), scratch_.data(),
                                      static_cast<unsigned>(ulen));
  if (got != ulen) {
    return error(at, absl::StrCat(to_absl(what), ": invalid LZF data (", clen, " bytes do not ",
                                  "decompress to ", ulen, ")"));
  }
  *out = scratch_;
  return absl::OkStatus();
}

absl::Status RdbInput::skip_string(std::string_view what) {
  const uint64_t at = pos_;
  uint64_t len;
  int enc;
  if (absl::Status st = len_or_encoding(&len, &enc, what); !st.ok()) return st;
  if (enc < 0) return skip(len, what);
  if (enc <= kEncInt32) return skip(uint64_t{1} << enc, what);
  if (enc != kEncLzf) {
    return error(at, absl::StrFormat("unknown string encoding %d in %s", enc, to_absl(what)));
  }
  uint64_t clen, ulen;
  if (absl::Status st = lzf_sizes(at, what, &clen, &ulen); !st.ok()) return st;
  return skip(clen, what);
}

absl::Status RdbInput::skip(uint64_t n, std::string_view what) {
  if (n > left()) {
    return error(pos_, absl::StrCat(to_absl(what), " of ", n, " bytes exceeds the ", left(),
                                    " bytes left"));
  }
  while (n > 0) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(n, kChunk));
    const uint8_t* p;
    if (absl::Status st = take(step, &p); !st.ok()) return st;
    n -= step;
  }
  return absl::OkStatus();
}

}  // namespace hashstore::internal::rdb
