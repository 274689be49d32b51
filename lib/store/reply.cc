// hashstore::Reply's out-of-line helpers.
#include <hashstore/reply.h>

#include "absl/strings/str_cat.h"

namespace hashstore {

Reply Reply::bulk_array(const std::vector<std::string>& items) {
  std::vector<Reply> out;
  out.reserve(items.size());
  for (const std::string& s : items) out.push_back(bulk(s));
  return array(std::move(out));
}

std::string Reply::debug_string() const {
  switch (kind_) {
    case Kind::kStatus:
      return string_;
    case Kind::kError:
      return "(error) " + string_;
    case Kind::kInteger:
      return absl::StrCat("(integer) ", integer_);
    case Kind::kBulk:
      return absl::StrCat("\"", string_, "\"");
    case Kind::kNil:
      return "(nil)";
    case Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements_.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements_[i].debug_string();
      }
      return out + "]";
    }
  }
  return "";
}

}  // namespace hashstore
