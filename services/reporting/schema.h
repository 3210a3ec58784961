// The reporting tables in ClickHouse and their versioned migrations, applied at start.
// Every statement runs on ClickHouse 18.16 and current releases, and applying twice
// changes nothing.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "custflow/clickhouse/clickhouse_client.h"

namespace custflow::reporting {

// Applies the migrations not yet recorded in schema_migrations, in order.
absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client);

// The same, stopping after migration `up_to`: how a database of an earlier release is
// made, to test that the next migration keeps what it holds.
absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client, uint32_t up_to);

// The version of the newest migration (what ApplyMigrations without a limit reaches).
uint32_t LatestMigrationVersion();

}  // namespace custflow::reporting
