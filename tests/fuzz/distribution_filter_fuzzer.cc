// Fuzz target: the reporting Distribution request as a client sends it: the input after
// its first byte is decoded as a v1::DistributionRequest, the first byte picks the
// caller's role (and so its row scope), and DistributionSql validates it and builds the
// bound SQL. Check: no request text reaches the SQL outside a string literal. The SQL is
// built a second time with every string of the request (and the scope's department and owner)
// replaced by a harmless placeholder; with literals blanked out, both texts must be
// identical, which fails as soon as one value is pasted unescaped, closes its literal or
// is treated as SQL ('?' included).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/reporting/distribution.h"

namespace custflow::reporting {
namespace {

// `sql` with the contents of every '...' literal (backslash escapes included) removed;
// nullopt when a literal is never closed.
std::optional<std::string> WithoutLiterals(const std::string& sql) {
  std::string out;
  bool in_literal = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (!in_literal) {
      out.push_back(c);
      in_literal = c == '\'';
    } else if (c == '\\') {
      ++i;
    } else if (c == '\'') {
      out.push_back(c);
      in_literal = false;
    }
  }
  if (in_literal) return std::nullopt;
  return out;
}

// Replaces each distinct non-empty value by its own placeholder, so equal values stay
// equal and the SQL's shape cannot depend on the replacement.
class Placeholders {
 public:
  std::string For(const std::string& value) {
    if (value.empty()) return value;
    auto [it, added] = names_.emplace(value, "");
    if (added) it->second = "v" + std::to_string(names_.size());
    return it->second;
  }

  // Every string field of `message` and of the messages in it, found by reflection so
  // that a filter added to the schema is covered too.
  void ReplaceStrings(google::protobuf::Message& message) {
    const google::protobuf::Reflection& reflection = *message.GetReflection();
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    reflection.ListFields(message, &fields);
    for (const google::protobuf::FieldDescriptor* field : fields) {
      using google::protobuf::FieldDescriptor;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!field->is_repeated()) {
          ReplaceStrings(*reflection.MutableMessage(&message, field));
          continue;
        }
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          ReplaceStrings(*reflection.MutableRepeatedMessage(&message, field, i));
        }
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        if (!field->is_repeated()) {
          reflection.SetString(&message, field, For(reflection.GetString(message, field)));
          continue;
        }
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          reflection.SetRepeatedString(&message, field, i,
                                       For(reflection.GetRepeatedString(message, field, i)));
        }
      }
    }
  }

 private:
  std::map<std::string, std::string> names_;
};

auth::RowScope ScopeOf(uint8_t selector, const std::string& department, const std::string& owner) {
  constexpr auth::Role kRoles[] = {auth::Role::kAdmin, auth::Role::kManager, auth::Role::kSales,
                                   auth::Role::kService, auth::Role::kIngest};
  return auth::RowScope::Of({.name = "fuzz",
                             .role = kRoles[selector % std::size(kRoles)],
                             .department = department,
                             .owner = owner});
}

}  // namespace
}  // namespace custflow::reporting

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace custflow;
  if (size == 0) return 0;
  v1::DistributionRequest request;
  if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  const std::string department = "east' OR 1=1 --";
  const std::string owner = "o\\'; DROP TABLE profile_versions; --?";
  absl::StatusOr<std::string> sql =
      reporting::DistributionSql(request, reporting::ScopeOf(data[0], department, owner));
  if (!sql.ok()) return 0;

  reporting::Placeholders placeholders;
  v1::DistributionRequest harmless = request;
  placeholders.ReplaceStrings(harmless);
  absl::StatusOr<std::string> harmless_sql = reporting::DistributionSql(
      harmless, reporting::ScopeOf(data[0], placeholders.For(department), placeholders.For(owner)));
  if (!harmless_sql.ok()) std::abort();
  std::optional<std::string> shape = reporting::WithoutLiterals(*sql);
  if (!shape || shape != reporting::WithoutLiterals(*harmless_sql)) std::abort();
  return 0;
}
