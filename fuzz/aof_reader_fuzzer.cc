// Fuzz target: the append-only log's reader (lib/persist/aof_reader.h) on
// arbitrary bytes.
//
// Property: scan_log never reads outside the input and never crashes; it
// accepts a file or refuses it with DataLoss naming a byte offset ("at
// offset N after K records"), with aof-load-truncated both on and off (a
// file accepted strictly is accepted, identically, when torn tails may be
// cut). Every record it accepts applies to a Store without error, and the
// Store is then usable (every key reads back).
// Two views of each input, so that the payload checks see arbitrary bytes
// and not only bytes whose checksum happened to match:
//   first byte even: the input is a log file as it is;
//   first byte odd:  the rest is cut into records (type u8, length u8,
//                    payload) that are framed with good heads and
//                    checksums behind a good header.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <hashstore/store.h>

#include "persist/aof_reader.h"
#include "persist/aof_records.h"

namespace {

namespace aof = hashstore::internal::aof;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "aof_reader_fuzzer: %s\n", what);
  std::abort();
}

std::string framed(std::string_view in) {
  std::string out = aof::file_header();
  size_t i = 0;
  while (i + 2 <= in.size()) {
    const auto type = static_cast<aof::RecordType>(static_cast<uint8_t>(in[i]) % 5);
    const size_t len = std::min<size_t>(static_cast<uint8_t>(in[i + 1]), in.size() - i - 2);
    aof::append_record(&out, type, [&](std::string* o) { o->append(in.substr(i + 2, len)); });
    i += 2 + len;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string bytes = (data[0] & 1) ? framed(in.substr(1)) : std::string(in.substr(1));
  auto ok = [](const aof::Record&) { return absl::OkStatus(); };
  const absl::StatusOr<aof::ScanResult> strict = aof::scan_log(bytes, false, ok);
  const absl::StatusOr<aof::ScanResult> lenient = aof::scan_log(bytes, true, ok);
  for (const auto* r : {&strict, &lenient}) {
    if (r->ok()) continue;
    const std::string msg(r->status().message());
    if (r->status().code() != absl::StatusCode::kDataLoss &&
        r->status().code() != absl::StatusCode::kFailedPrecondition) {
      fail("unexpected error code");
    }
    if (msg.find("offset") == std::string::npos) fail("error without an offset");
  }
  if (strict.ok()) {
    if (!lenient.ok() || lenient->records != strict->records ||
        lenient->valid_size != strict->valid_size || lenient->truncated != 0) {
      fail("strict and lenient loads disagree");
    }
  }
  if (!lenient.ok()) return 0;
  if (lenient->valid_size + lenient->truncated != bytes.size()) fail("sizes do not add up");
  hashstore::Options o;
  o.shards = 2;
  hashstore::Store store(o);
  uint64_t applied = 0;
  const absl::StatusOr<aof::ScanResult> r =
      aof::scan_log(std::string_view(bytes).substr(0, lenient->valid_size), false,
                    [&](const aof::Record& rec) {
                      ++applied;
                      return aof::apply_record(store, rec);
                    });
  if (!r.ok()) fail("an accepted record did not apply");
  if (applied != lenient->records) fail("record count differs");
  // The store is usable: every key reads back.
  for (const std::string& k : store.keys("*")) store.hgetall(k);
  return 0;
}
