// Reply: factories, the error-prefix to status-code table and the debug form.
#include "custflow/redis/reply.h"

#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace custflow::redis {
namespace {

struct ErrorPrefixCode {
  std::string_view prefix;
  absl::StatusCode code;
};

// Redis starts each error with an upper-case word naming its kind. Conditions that pass on
// their own are UNAVAILABLE (worth a later retry); anything unlisted is a fault in the
// command or the data, hence INTERNAL.
constexpr ErrorPrefixCode kErrorCodes[] = {
    {"LOADING", absl::StatusCode::kUnavailable},     {"BUSY", absl::StatusCode::kUnavailable},
    {"MASTERDOWN", absl::StatusCode::kUnavailable},  {"TRYAGAIN", absl::StatusCode::kUnavailable},
    {"CLUSTERDOWN", absl::StatusCode::kUnavailable}, {"OOM", absl::StatusCode::kResourceExhausted},
    {"NOAUTH", absl::StatusCode::kUnauthenticated},  {"WRONGPASS", absl::StatusCode::kUnauthenticated},
    {"NOPERM", absl::StatusCode::kPermissionDenied}, {"WRONGTYPE", absl::StatusCode::kFailedPrecondition},
    {"NOSCRIPT", absl::StatusCode::kNotFound},
};

absl::StatusCode CodeForError(std::string_view text) {
  std::string_view word = text.substr(0, text.find(' '));
  for (const auto& [prefix, code] : kErrorCodes) {
    if (word == prefix) return code;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

Reply Reply::Integer(int64_t value) {
  Reply reply;
  reply.type_ = Type::kInteger;
  reply.integer_ = value;
  return reply;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply reply;
  reply.type_ = Type::kArray;
  reply.elements_ = std::move(elements);
  return reply;
}

absl::Status Reply::ToStatus() const {
  if (!is_error()) return absl::OkStatus();
  return absl::Status(CodeForError(str_), absl::StrCat("redis: ", str_));
}

std::string Reply::DebugString() const {
  switch (type_) {
    case Type::kNil:
      return "nil";
    case Type::kStatus:
      return str_;
    case Type::kError:
      return absl::StrCat("(error) ", str_);
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer_);
    case Type::kString:
      return absl::StrCat("\"", absl::CEscape(str_), "\"");
    case Type::kArray:
      return absl::StrCat(
          "[",
          absl::StrJoin(elements_, ", ",
                        [](std::string* out, const Reply& element) { out->append(element.DebugString()); }),
          "]");
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, const Reply& reply) { return out << reply.DebugString(); }

}  // namespace custflow::redis
