#include "services/reporting/row_scope_sql.h"

#include <string>

namespace custflow::reporting {

clickhouse::SqlText AndInRowScope(const auth::RowScope& scope, std::string_view department_column,
                                  std::string_view owner_column) {
  clickhouse::SqlText sql;
  switch (scope.kind()) {
    case auth::RowScope::Kind::kEverything:
      return sql;
    case auth::RowScope::Kind::kDepartment:
      return sql.Add(" AND " + std::string(department_column) + " = ?", scope.department());
    case auth::RowScope::Kind::kOwner:
      return sql.Add(" AND " + std::string(owner_column) + " = ?", scope.owner());
    case auth::RowScope::Kind::kNothing:
      break;
  }
  return sql.Add(" AND 0");
}

clickhouse::SqlText AndCustomerInRowScope(const auth::RowScope& scope) {
  clickhouse::SqlText sql;
  if (scope.kind() == auth::RowScope::Kind::kEverything) return sql;
  // FINAL reads each customer's highest profile version (profile_versions is a
  // ReplacingMergeTree on version), so the condition reads its current department and owner.
  return sql.Add(" AND customer_id IN (SELECT customer_id FROM profile_versions FINAL WHERE 1")
      .Add(AndInRowScope(scope, "department", "owner"))
      .Add(")");
}

}  // namespace custflow::reporting
