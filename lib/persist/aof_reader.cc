// Checking and replaying the append-only log (aof_reader.h).
#include "persist/aof_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "persist/io_error.h"
#include "util/absl_view.h"
#include "persist/snapshot_format.h"

namespace hashstore::internal::aof {

namespace {

bool all_zero(std::string_view bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

absl::Status bad_at(std::string_view what, uint64_t offset, uint64_t records) {
  return absl::DataLossError(absl::StrCat("ERR Bad file format reading the append only file: ",
                                          to_absl(what), " at offset ", offset, " after ", records,
                                          " records"));
}

}  // namespace

absl::StatusOr<ScanResult> scan_log(std::string_view bytes, bool load_truncated,
                                    absl::FunctionRef<absl::Status(const Record&)> fn) {
  ScanResult r;
  // A torn tail at `pos`: cut off, or refused.
  auto torn = [&](uint64_t pos) -> absl::StatusOr<ScanResult> {
    if (!load_truncated) {
      return absl::DataLossError(absl::StrCat(
          "ERR Bad file format reading the append only file: truncated at offset ", pos,
          " after ", r.records, " records (aof-load-truncated is no)"));
    }
    r.valid_size = pos;
    r.truncated = bytes.size() - pos;
    return r;
  };
  if (bytes.empty()) return r;
  if (bytes.size() < kHeaderSize) {
    // A crash while the header was written: a prefix of it, or zeros.
    const std::string_view magic(kMagic, sizeof kMagic);
    if (all_zero(bytes) || magic.substr(0, std::min(bytes.size(), magic.size())) ==
                               bytes.substr(0, std::min(bytes.size(), magic.size()))) {
      return torn(0);
    }
    return bad_at("not an append-only log", 0, 0);
  }
  if (absl::Status h = check_header(bytes); !h.ok()) {
    return absl::Status(h.code(), absl::StrCat("ERR Bad file format reading the append only "
                                               "file: ", h.message(), " at offset 0"));
  }
  uint64_t pos = kHeaderSize;
  Record rec;
  const auto* base = reinterpret_cast<const uint8_t*>(bytes.data());
  while (pos < bytes.size()) {
    const uint64_t left = bytes.size() - pos;
    if (left < kFrameSize) return torn(pos);
    const uint8_t* f = base + pos;
    const uint32_t len = snapshot::get_u32(f);
    const uint8_t type = f[4];
    const uint16_t head = static_cast<uint16_t>(f[5] | (f[6] << 8));
    if (head != head_check(len, type)) {
      if (all_zero(bytes.substr(pos))) return torn(pos);
      return bad_at("bad record head", pos, r.records);
    }
    if (len > kMaxPayload) return bad_at("record longer than the format allows", pos, r.records);
    if (len > left - kFrameSize) return torn(pos);
    const std::string_view payload = bytes.substr(pos + kFrameSize, len);
    if (snapshot::get_u64(f + 7) != XXH3_64bits(payload.data(), payload.size())) {
      if (len == left - kFrameSize || all_zero(bytes.substr(pos + kFrameSize))) return torn(pos);
      return bad_at("record checksum mismatch", pos, r.records);
    }
    if (absl::Status s = parse_record(type, payload, &rec); !s.ok()) {
      return bad_at(std::string_view(s.message().data(), s.message().size()), pos, r.records);
    }
    if (absl::Status s = fn(rec); !s.ok()) return s;
    ++r.records;
    pos += kFrameSize + len;
  }
  r.valid_size = pos;
  return r;
}

absl::StatusOr<ScanResult> load_log_file(Store& store, const std::string& path,
                                         bool load_truncated) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ScanResult{};
    return errno_status(errno, absl::StrCat("ERR load ", path, ": cannot open"),
                        absl::StatusCode::kDataLoss);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const absl::Status s = errno_status(errno, absl::StrCat("ERR load ", path, ": cannot stat"),
                                        absl::StatusCode::kDataLoss);
    ::close(fd);
    return s;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return ScanResult{};
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    return errno_status(errno, absl::StrCat("ERR load ", path, ": cannot map"),
                        absl::StatusCode::kDataLoss);
  }
  ::madvise(map, size, MADV_SEQUENTIAL);
  const std::string_view bytes(static_cast<const char*>(map), size);
  // First the whole file is checked, then applied: a refused file changes
  // nothing.
  absl::StatusOr<ScanResult> checked =
      scan_log(bytes, load_truncated, [](const Record&) { return absl::OkStatus(); });
  absl::StatusOr<ScanResult> applied = checked;
  if (checked.ok()) {
    applied = scan_log(bytes.substr(0, checked->valid_size), load_truncated,
                       [&](const Record& rec) { return apply_record(store, rec); });
    if (applied.ok()) applied->truncated = checked->truncated;
  }
  ::munmap(map, size);
  if (!applied.ok()) {
    return absl::Status(applied.status().code(),
                        absl::StrCat(applied.status().message(), " (", path, ")"));
  }
  return applied;
}

}  // namespace hashstore::internal::aof
