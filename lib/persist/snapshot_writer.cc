// Snapshot writer: serializes shard by shard (see snapshot_writer.h) and
// saves through a temporary file, fsync and rename.
#include "persist/snapshot_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "persist/io_error.h"
#include "persist/snapshot_format.h"
#include "util/absl_view.h"

namespace hashstore::internal::snapshot {

namespace {

// Builds blocks of records into one string (a shard's worth).
class BlockBuilder {
 public:
  explicit BlockBuilder(std::string* out) : out_(out) {}

  void add_entry(const void* e) {
    if (start_ == kNone) open();
    const std::optional<int64_t> expire = key_entry::expire_ms(e);
    const bool table = key_entry::encoding(e) == HashEncoding::kTable;
    const bool field_ttls = key_entry::field_bounds(e).has_value();
    uint8_t flags = 0;
    if (expire) flags |= kRecKeyTtl;
    if (table) flags |= kRecTable;
    if (field_ttls) flags |= kRecFieldTtls;
    out_->push_back(static_cast<char>(flags));
    const std::string_view key = key_entry::key(e);
    put_varint(out_, key.size());
    out_->append(key);
    if (expire) put_u64(out_, static_cast<uint64_t>(*expire));
    if (!table) {
      const uint8_t* lp = key_entry::listpack(e);
      const uint32_t n = lp::bytes(lp);
      put_u32(out_, n);
      out_->append(reinterpret_cast<const char*>(lp), n);
    } else {
      const FieldTable* t = key_entry::table(e);
      put_varint(out_, t->size());
      t->for_each([&](const void* fe) {
        const std::optional<int64_t> ttl = field_entry::expiry(fe);
        out_->push_back(static_cast<char>(ttl ? kFieldHasTtl : 0));
        const std::string_view f = field_entry::field(fe), v = field_entry::value(fe);
        put_varint(out_, f.size());
        out_->append(f);
        put_varint(out_, v.size());
        out_->append(v);
        if (ttl) put_u64(out_, static_cast<uint64_t>(*ttl));
      });
    }
    ++records_;
    if (out_->size() - start_ - kBlockHeaderSize >= kBlockTarget) close();
  }

  // Closes the open block, if any.
  void close() {
    if (start_ == kNone) return;
    set_u32_at(out_, start_ + 1, static_cast<uint32_t>(out_->size() - start_ - kBlockHeaderSize));
    set_u32_at(out_, start_ + 5, records_);
    put_u64(out_, XXH3_64bits(out_->data() + start_, out_->size() - start_));
    start_ = kNone;
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  void open() {
    start_ = out_->size();
    records_ = 0;
    out_->push_back(static_cast<char>(kBlockKeys));
    put_u32(out_, 0);  // length, set by close()
    put_u32(out_, 0);  // records, set by close()
  }

  std::string* out_;
  size_t start_ = kNone;
  uint32_t records_ = 0;
};

std::string header(int64_t created_ms, uint32_t shards) {
  std::string h(kMagic, sizeof kMagic);
  put_u32(&h, kVersion);
  put_u32(&h, 0);
  put_u64(&h, static_cast<uint64_t>(created_ms));
  put_u32(&h, shards);
  put_u32(&h, 0);
  put_u64(&h, XXH3_64bits(h.data(), h.size()));
  return h;
}

// "ERR save <path>: <what>: <strerror(errno)>", coded from errno.
// err: the failed call's errno (by default errno itself).
absl::Status save_error(const std::string& path, std::string_view what, int err = errno) {
  return errno_status(err, absl::StrCat("ERR save ", path, ": ", to_absl(what)),
                      absl::StatusCode::kInternal);
}

}  // namespace

absl::Status write_all(int fd, std::string_view data, const std::string& path,
                       const FileOps& ops) {
  if (const int err = write_fully(ops.write, fd, data); err != 0) {
    return save_error(path, "cannot write", err);
  }
  return absl::OkStatus();
}

absl::Status write_snapshot(StoreImpl& impl,
                            absl::FunctionRef<absl::Status(std::string_view)> sink,
                            SaveResult* result) {
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) return absl::ResourceExhaustedError("ERR out of memory");
  XXH3_64bits_reset(state);
  auto emit = [&](std::string_view bytes) {
    XXH3_64bits_update(state, bytes.data(), bytes.size());
    result->bytes += bytes.size();
    return sink(bytes);
  };
  absl::Status st =
      emit(header(impl.clock().now_ms(), static_cast<uint32_t>(impl.shard_count())));
  std::string buf;
  for (size_t i = 0; st.ok() && i < impl.shard_count(); ++i) {
    Shard& shard = impl.shard(i);
    buf.clear();
    BlockBuilder blocks(&buf);
    {
      StoreImpl::ShardLock lock(impl, shard, LockMode::kShared);
      const auto t0 = std::chrono::steady_clock::now();
      Now now(impl.clock());
      shard.keyspace.for_each([&](const void* e) {
        if (Keyspace::expired(e, now)) return;
        blocks.add_entry(e);
        ++result->keys;
      });
      blocks.close();
      result->shard_pause_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count());
    }
    // The buffer keeps its capacity for the next shard (one shard's worth of
    // memory for the whole save) so that its pages are not faulted in again.
    st = emit(buf);
  }
  if (st.ok()) {
    std::string trailer(1, static_cast<char>(kTrailerType));
    put_u64(&trailer, result->keys);
    XXH3_64bits_update(state, trailer.data(), trailer.size());
    put_u64(&trailer, XXH3_64bits_digest(state));
    result->bytes += trailer.size();
    st = sink(trailer);
  }
  XXH3_freeState(state);
  return st;
}

const FileOps& system_file_ops() {
  static const FileOps ops{
      [](const char* path, int flags, unsigned mode) {
        return ::open(path, flags, static_cast<mode_t>(mode));
      },
      [](int fd, const void* data, size_t n) { return static_cast<long>(::write(fd, data, n)); },
      [](int fd) { return ::fsync(fd); },
      [](int fd) { return ::close(fd); },
      [](const char* from, const char* to) { return ::rename(from, to); },
  };
  return ops;
}

absl::Status write_file_atomically(const std::string& path,
                                   absl::FunctionRef<absl::Status(int fd)> write,
                                   const FileOps& ops) {
  if (path.empty()) return absl::InvalidArgumentError("ERR save: the path is empty");
  static std::atomic<uint64_t> counter{0};
  const std::string dir = dir_of(path);
  const std::string tmp = absl::StrCat(path, ".tmp-", ::getpid(), "-", counter.fetch_add(1));
  const int fd = ops.open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return save_error(path, absl::StrCat("cannot create a file in ", dir));
  absl::Status st = write(fd);
  if (st.ok() && ops.fsync(fd) != 0) st = save_error(path, "fsync failed");
  if (ops.close(fd) != 0 && st.ok()) st = save_error(path, "close failed");
  if (st.ok() && ops.rename(tmp.c_str(), path.c_str()) != 0) {
    st = save_error(path, "cannot replace it");
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  // The rename is durable once the directory is synced.
  const int dfd = ops.open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd < 0) return save_error(path, absl::StrCat("cannot open its directory ", dir));
  if (ops.fsync(dfd) != 0) {
    st = save_error(path, absl::StrCat("fsync of its directory ", dir, " failed"));
  }
  ops.close(dfd);
  return st;
}

absl::StatusOr<SaveResult> save_snapshot(StoreImpl& impl, const std::string& path,
                                         const FileOps& ops) {
  SaveResult result;
  absl::Status st = write_file_atomically(
      path,
      [&](int fd) {
        return write_snapshot(
            impl, [&](std::string_view bytes) { return write_all(fd, bytes, path, ops); },
            &result);
      },
      ops);
  if (!st.ok()) return st;
  return result;
}

}  // namespace hashstore::internal::snapshot
