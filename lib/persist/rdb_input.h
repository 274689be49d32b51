// RdbInput: the bytes of an RDB file (a file read in chunks, or memory),
// consumed front to back, with the RDB primitives on top (rdb_format.h):
// lengths, strings (plain, integer-encoded, LZF-compressed), fixed-width
// integers. It keeps the CRC-64 of everything consumed.
//
// Untrusted input: every length is checked against the bytes left in the
// file before anything is allocated or read; an LZF string's stated size
// must be reachable from its compressed size (LZF expands at most 88 times:
// a 3-byte back-reference yields 264 bytes) and must be exactly what liblzf
// produces. Errors are absl::DataLoss "<what> at byte N" (N: file offset);
// the reader prefixes the file and the key.
//
// Views returned by take() / read_string() point into an internal buffer
// and stay valid until the next call that reads. Not thread-safe.
// Costs: a file is read in 256 KiB chunks (a string longer than that grows
// the buffer to its size); the CRC runs over each chunk once, when the
// chunk is about to be dropped (or when crc() is asked).
#ifndef HASHSTORE_PERSIST_RDB_INPUT_H_
#define HASHSTORE_PERSIST_RDB_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace hashstore::internal::rdb {

class RdbInput {
 public:
  // Reads the file open as fd (closed by the destructor), of `size` bytes.
  RdbInput(int fd, uint64_t size);
  // Reads bytes (which must outlive this object).
  explicit RdbInput(std::string_view bytes);
  ~RdbInput();
  RdbInput(const RdbInput&) = delete;
  RdbInput& operator=(const RdbInput&) = delete;

  // false: crc() stays 0 and costs nothing (fuzzing, or a caller that
  // will not check).
  void set_crc_enabled(bool on) { crc_on_ = on; }

  uint64_t pos() const { return pos_; }
  uint64_t size() const { return size_; }
  uint64_t left() const { return size_ - pos_; }

  // DataLoss "<what> at byte <at>".
  static absl::Status error(uint64_t at, std::string_view what);
  // error(pos(), "truncated: <what> needs N bytes, M left") unless n <= left().
  absl::Status need(uint64_t n, std::string_view what) const;

  // Consumes the next n bytes and points *out at them. REQUIRES: n <= left().
  absl::Status take(size_t n, const uint8_t** out) {
    if (static_cast<size_t>(end_ - cur_) < n) {
      if (absl::Status st = fill(n); !st.ok()) return st;
    }
    *out = cur_;
    cur_ += n;
    pos_ += n;
    return absl::OkStatus();
  }

  // ---- RDB primitives (each checks the bytes left first) ----
  absl::Status read_u8(uint8_t* v);
  absl::Status read_le32(int32_t* v);
  absl::Status read_le64(int64_t* v);
  // A length (rdb_format.h `len`); a string encoding byte here is an error.
  absl::Status read_len(uint64_t* v, std::string_view what);
  // A string, decoded: integers as their decimal text, LZF decompressed.
  absl::Status read_string(std::string_view* out, std::string_view what);
  // The same, stepping over the bytes without decoding (LZF lengths are
  // still checked against the bytes left).
  absl::Status skip_string(std::string_view what);
  // Steps over n raw bytes.
  absl::Status skip(uint64_t n, std::string_view what);

  // The CRC-64 of every byte consumed so far (0 when disabled).
  uint64_t crc();

 private:
  // Makes n bytes available at cur_. REQUIRES: n <= left().
  absl::Status fill(size_t n);
  // An LZF string's compressed and stated sizes (after its encoding byte
  // at `at`), checked: the data fits in the bytes left, and LZF can reach
  // the stated size from it.
  absl::Status lzf_sizes(uint64_t at, std::string_view what, uint64_t* clen, uint64_t* ulen);
  // An n-byte little-endian number (n <= 8).
  absl::Status read_le(size_t n, uint64_t* v);
  // Reads a length's first byte and decodes it; *encoding gets the low 6
  // bits of a 11xxxxxx byte (and *v is left unset), else -1.
  absl::Status len_or_encoding(uint64_t* v, int* encoding, std::string_view what);

  int fd_ = -1;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> buf_;  // file mode only
  const uint8_t* cur_;
  const uint8_t* end_;
  const uint8_t* crc_from_;  // bytes in [crc_from_, cur_) are not in crc_ yet
  uint64_t crc_ = 0;
  bool crc_on_ = true;
  std::string scratch_;  // integer text and LZF output
  std::vector<uint8_t> lzf_in_;
};

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_INPUT_H_
