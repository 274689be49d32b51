// HS_RETURN_IF_ERROR: abseil 20220623 has no public macro for it.
#ifndef HASHSTORE_UTIL_STATUS_H_
#define HASHSTORE_UTIL_STATUS_H_

#include "absl/status/status.h"

// Evaluates expr (an absl::Status) once; returns it from the calling
// function when it is not OK.
#define HS_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::absl::Status hs_status_ = (expr);       \
    if (!hs_status_.ok()) return hs_status_;  \
  } while (0)

#endif  // HASHSTORE_UTIL_STATUS_H_
