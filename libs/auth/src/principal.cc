#include "custflow/auth/principal.h"

#include <array>
#include <utility>

namespace custflow::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames{{
    {Role::kAdmin, "admin"},
    {Role::kManager, "manager"},
    {Role::kSales, "sales"},
    {Role::kService, "service"},
    {Role::kIngest, "ingest"},
}};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [known, name] : kRoleNames) {
    if (known == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [role, known] : kRoleNames) {
    if (known == name) return role;
  }
  return std::nullopt;
}

absl::Status ValidatePrincipal(const Principal& principal) {
  if (principal.name.empty()) return absl::InvalidArgumentError("a principal needs a name");
  bool needs_department = principal.role == Role::kManager || principal.role == Role::kSales;
  if (needs_department && principal.department.empty()) {
    return absl::InvalidArgumentError("a " + std::string(RoleName(principal.role)) + " needs a department");
  }
  if (principal.role == Role::kSales && principal.owner.empty()) {
    return absl::InvalidArgumentError("a sales principal needs an owner");
  }
  return absl::OkStatus();
}

bool PiiByDefault(Role role) { return role == Role::kAdmin; }

RowScope RowScope::Of(const Principal& principal) {
  switch (principal.role) {
    case Role::kAdmin:
    case Role::kService:
      return Everything();
    case Role::kManager:
      return RowScope(Kind::kDepartment, principal.department, "");
    case Role::kSales:
      return RowScope(Kind::kOwner, "", principal.owner);
    case Role::kIngest:
      break;
  }
  return RowScope(Kind::kNothing, "", "");
}

bool RowScope::Contains(std::string_view department, std::string_view owner) const {
  switch (kind_) {
    case Kind::kEverything:
      return true;
    case Kind::kDepartment:
      return !department_.empty() && department == department_;
    case Kind::kOwner:
      return !owner_.empty() && owner == owner_;
    case Kind::kNothing:
      break;
  }
  return false;
}

}  // namespace custflow::auth
