// The one interface through which custflow reaches ClickHouse. HttpClickHouseClient is the
// real implementation; unit tests of services use an in-memory implementation instead.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "custflow/clickhouse/query_result.h"
#include "custflow/clickhouse/row_binary_writer.h"

namespace custflow::clickhouse {

// SQL reaches these methods as finished text: build it with Bind() (sql.h) whenever it
// holds a value, and with QuoteIdentifier() for names.
//
// Errors follow one rule for every method:
//   - ClickHouse rejected the statement: the code from StatusFromServerError
//     (server_error.h), the message carrying the HTTP status and ClickHouse's own text;
//   - ClickHouse could not be reached or the connection broke: UNAVAILABLE;
//   - the request outlived its timeout: DEADLINE_EXCEEDED.
// After UNAVAILABLE or DEADLINE_EXCEEDED a statement may or may not have run; in
// particular an insert may be stored in part (whole blocks of max_insert_block_size rows),
// so callers resume from what is stored rather than resending blindly.
//
// Implementations are safe to call from several threads at once.
class ClickHouseClient {
 public:
  virtual ~ClickHouseClient() = default;

  // Runs a statement whose result is not needed: CREATE, DROP, ALTER, OPTIMIZE,
  // INSERT ... SELECT, INSERT ... VALUES.
  virtual absl::Status Execute(std::string_view sql) = 0;

  // Runs a query and returns all its rows. `sql` has no FORMAT clause: the client chooses
  // the format.
  virtual absl::StatusOr<QueryResult> Query(std::string_view sql) = 0;

  // Inserts the finished rows of `rows` into `table` ("name" or "db.name") as
  // INSERT INTO table (columns) FORMAT RowBinary; each row holds one value per column, in
  // this order. The table and column names are checked as by QuoteIdentifier; a writer
  // with an unfinished row is INVALID_ARGUMENT; no rows is a successful no-op. One insert
  // is atomic only up to max_insert_block_size rows (1,048,576 by default).
  virtual absl::Status Insert(std::string_view table, absl::Span<const std::string> columns,
                              const RowBinaryWriter& rows) = 0;

  // OK when the server answers its health check.
  virtual absl::Status Ping() = 0;
};

}  // namespace custflow::clickhouse
