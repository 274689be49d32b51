// Propagation macros for absl::Status / absl::StatusOr (abseil 20220623 has
// no public ones).
//
//   HS_RETURN_IF_ERROR(expr);          expr is an absl::Status
//   HS_ASSIGN_OR_RETURN(lhs, expr);    expr is an absl::StatusOr<T>
//
// Each evaluates expr exactly once. When it is not OK, its Status is returned
// from the calling function (which returns absl::Status or any
// absl::StatusOr<U>). Otherwise HS_ASSIGN_OR_RETURN moves the value into lhs,
// which may declare a variable (`HS_ASSIGN_OR_RETURN(int64_t n, parse(s))`,
// `auto` works) or name an existing one. HS_ASSIGN_OR_RETURN expands to
// several statements: do not use it as the body of an unbraced if/else, and
// use it at most once per source line (its temporary is named after
// __LINE__). A lhs type containing a comma needs an alias or parentheses.
#ifndef HASHSTORE_UTIL_STATUS_H_
#define HASHSTORE_UTIL_STATUS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HS_RETURN_IF_ERROR(expr)                             \
  do {                                                       \
    ::absl::Status hs_status_internal_ = (expr);             \
    if (!hs_status_internal_.ok()) return hs_status_internal_; \
  } while (0)

#define HS_STATUS_CONCAT_INNER_(a, b) a##b
#define HS_STATUS_CONCAT_(a, b) HS_STATUS_CONCAT_INNER_(a, b)

#define HS_ASSIGN_OR_RETURN(lhs, expr) \
  HS_ASSIGN_OR_RETURN_IMPL_(HS_STATUS_CONCAT_(hs_statusor_internal_, __LINE__), lhs, expr)

#define HS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = *std::move(tmp)

#endif  // HASHSTORE_UTIL_STATUS_H_
