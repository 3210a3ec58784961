// The rows a query returned, read from ClickHouse's TabSeparatedWithNamesAndTypes output
// (a format ClickHouse 18.16 has), with typed access by column name or index.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace custflow::clickhouse {

struct Column {
  std::string name;
  std::string type;  // as ClickHouse names it, e.g. "UInt64" or "Nullable(String)"
  bool operator==(const Column&) const = default;
};

// A column chosen by index (0-based) or by name.
class ColumnRef {
 public:
  template <std::integral T>
  ColumnRef(T index) : index_(static_cast<size_t>(index)) {}
  ColumnRef(std::string_view name) : name_(name) {}
  ColumnRef(const char* name) : name_(name) {}
  ColumnRef(const std::string& name) : name_(name) {}

  bool by_name() const { return name_.has_value(); }
  size_t index() const { return index_; }
  std::string_view name() const { return *name_; }

 private:
  size_t index_ = 0;
  std::optional<std::string_view> name_;
};

// Getters fail with a status instead of guessing:
//   OUT_OF_RANGE      row or column index past the end; a number that does not fit;
//   NOT_FOUND         no column has that name;
//   FAILED_PRECONDITION the value is NULL (check IsNull first for Nullable columns);
//   INVALID_ARGUMENT  the column's type cannot be read that way, or its text does not parse.
// Every message names the row, the column and its type.
class QueryResult {
 public:
  QueryResult() = default;

  // Parses a response body in TabSeparatedWithNamesAndTypes: a line of column names, a
  // line of types, then one line per row, fields separated by tabs and escaped with
  // backslashes (\t \n \\ \' \0 \xHH ...), NULL written as \N. An empty body is a result
  // with no columns. Malformed input is INVALID_ARGUMENT.
  static absl::StatusOr<QueryResult> ParseTabSeparatedWithNamesAndTypes(std::string_view body);

  // A result from cells already unescaped, as ClickHouse prints values (std::nullopt for
  // NULL); for in-memory ClickHouseClient implementations in tests. Each row must have one
  // cell per column.
  static absl::StatusOr<QueryResult> FromCells(std::vector<Column> columns,
                                               std::vector<std::vector<std::optional<std::string>>> rows);

  const std::vector<Column>& columns() const { return columns_; }
  size_t column_count() const { return columns_.size(); }
  size_t row_count() const { return row_count_; }
  absl::StatusOr<size_t> ColumnIndex(std::string_view name) const;

  absl::StatusOr<bool> IsNull(size_t row, ColumnRef column) const;

  // The value's text as ClickHouse printed it, unescaped; works for every type (a Date
  // reads "2024-05-01", an Array "[1,2]"). UTF-8 text comes back byte for byte.
  absl::StatusOr<std::string> GetString(size_t row, ColumnRef column) const;
  // Integer columns (Int8..Int64, UInt8..UInt64), range-checked.
  absl::StatusOr<int64_t> GetInt64(size_t row, ColumnRef column) const;
  absl::StatusOr<uint64_t> GetUInt64(size_t row, ColumnRef column) const;
  // Float32/Float64 (nan and inf included), Decimal and integer columns.
  absl::StatusOr<double> GetDouble(size_t row, ColumnRef column) const;
  // DateTime and DateTime('UTC') (text read as UTC: the project's server runs in UTC),
  // Date (midnight UTC) and integer columns holding Unix seconds. DateTime in another
  // zone is INVALID_ARGUMENT: select toUnixTimestamp(column) instead.
  absl::StatusOr<std::chrono::sys_seconds> GetTime(size_t row, ColumnRef column) const;

 private:
  struct Cell {
    std::string text;
    bool is_null = false;
  };
  struct Located {
    const Cell* cell;
    const Column* column;
  };

  // The non-NULL cell at (row, column), or the error a getter returns.
  absl::StatusOr<Located> Find(size_t row, ColumnRef column) const;
  absl::StatusOr<Located> FindNotNull(size_t row, ColumnRef column) const;

  std::vector<Column> columns_;
  std::vector<Cell> cells_;  // row-major
  size_t row_count_ = 0;
};

// Unescapes one TabSeparated field (not \N, which means NULL). INVALID_ARGUMENT for a
// dangling backslash or a bad \x escape.
absl::StatusOr<std::string> UnescapeTabSeparated(std::string_view field);

}  // namespace custflow::clickhouse
