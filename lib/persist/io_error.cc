// errno -> absl::Status for save and load (see io_error.h).
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

}  // namespace hashstore::internal
