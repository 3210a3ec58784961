// Who calls custflow: a principal (name, role, department, owner) and the rows it may see.
// The row scope is handed to the SQL and Redis layers as values to bind, never as text to
// paste into a query.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"

namespace custflow::auth {

enum class Role { kAdmin, kManager, kSales, kService, kIngest };

// "admin", "manager", "sales", "service", "ingest".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string name{};
  Role role = Role::kIngest;
  // The department a manager leads or a sales rep belongs to.
  std::string department{};
  // The owner id a sales rep's customers carry.
  std::string owner{};
  // May see phones and e-mails unmasked.
  bool pii = false;
};

// The rules every principal obeys, wherever it comes from (token file or JWT): a name;
// managers and sales reps name their department; sales reps their owner id.
absl::Status ValidatePrincipal(const Principal& principal);

// Whether a role sees phones and e-mails unmasked when the principal does not say.
bool PiiByDefault(Role role);

// The customer rows a principal may read.
class RowScope {
 public:
  enum class Kind { kEverything, kDepartment, kOwner, kNothing };

  // A scope of nothing, until assigned one of the scopes below.
  RowScope() = default;
  static RowScope Of(const Principal& principal);
  // Every row, for the operator's own in-process work (benchmarks, tests, tools).
  static RowScope Everything() { return RowScope(Kind::kEverything, "", ""); }

  Kind kind() const { return kind_; }
  // The department to bind when kind() is kDepartment, else empty.
  const std::string& department() const { return department_; }
  // The owner id to bind when kind() is kOwner, else empty.
  const std::string& owner() const { return owner_; }

  // Whether a customer of `department` owned by `owner` is in the scope.
  bool Contains(std::string_view department, std::string_view owner) const;

 private:
  RowScope(Kind kind, std::string department, std::string owner)
      : kind_(kind), department_(std::move(department)), owner_(std::move(owner)) {}

  Kind kind_ = Kind::kNothing;
  std::string department_;
  std::string owner_;
};

}  // namespace custflow::auth
