// The reporting tables in ClickHouse and their versioned migrations, applied at start.
// Every statement runs on ClickHouse 18.16 and current releases, and applying twice
// changes nothing.
#pragma once

#include "absl/status/status.h"
#include "custflow/clickhouse/clickhouse_client.h"

namespace custflow::reporting {

// Applies the migrations not yet recorded in schema_migrations, in order.
absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client);

}  // namespace custflow::reporting
