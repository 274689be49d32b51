// errno -> absl::Status for save and load, write_fully, dir_of (see io_error.h).
#include "persist/io_error.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/absl_view.h"

namespace hashstore::internal {

absl::StatusCode code_for_errno(int err, absl::StatusCode fallback) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::StatusCode::kNotFound;
    case EACCES:
    case EPERM:
      return absl::StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return absl::StatusCode::kResourceExhausted;
    case EROFS:
    case EISDIR:
    case EBUSY:
    case ETXTBSY:
      return absl::StatusCode::kFailedPrecondition;
    case ENAMETOOLONG:
    case ELOOP:
      return absl::StatusCode::kInvalidArgument;
    default:
      return fallback;
  }
}

absl::Status errno_status(int err, std::string_view message, absl::StatusCode fallback) {
  return absl::Status(code_for_errno(err, fallback),
                      absl::StrCat(to_absl(message), ": ", std::strerror(err)));
}

int write_fully(long (*write)(int fd, const void* data, size_t n), int fd, std::string_view data) {
  while (!data.empty()) {
    const long n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace hashstore::internal
