// to_absl(): abseil 20220623's absl::string_view is its own type, not
// std::string_view; the project uses std::string_view everywhere and
// converts here when calling abseil (StrCat, EqualsIgnoreCase, ...).
#ifndef HASHSTORE_UTIL_ABSL_VIEW_H_
#define HASHSTORE_UTIL_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace hashstore::internal {

inline absl::string_view to_absl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_ABSL_VIEW_H_
