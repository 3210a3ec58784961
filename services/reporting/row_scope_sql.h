// A caller's row scope (auth::RowScope) as SQL conditions: a manager reads the customers
// whose latest profile is in their department, a sales rep those whose latest profile
// names them as owner, so a customer's whole history moves with it when reassigned. The
// department and owner are bound values, never pasted text.
#pragma once

#include <string_view>

#include "custflow/auth/principal.h"
#include "custflow/clickhouse/sql.h"

namespace custflow::reporting {

// " AND <department_column> = ?" or " AND <owner_column> = ?" for a scoped caller, " AND 0"
// for a scope of nothing, and nothing at all for a scope of everything. The columns are
// the SQL names of a customer's latest department and owner.
clickhouse::SqlText AndInRowScope(const auth::RowScope& scope, std::string_view department_column,
                                  std::string_view owner_column);

// The same for rows that carry only a customer_id (interactions): " AND customer_id IN
// (the scope's customers by their latest profile)".
clickhouse::SqlText AndCustomerInRowScope(const auth::RowScope& scope);

}  // namespace custflow::reporting
