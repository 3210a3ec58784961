// Parsing of TabSeparatedWithNamesAndTypes and the typed getters of QueryResult.
#include "custflow/clickhouse/query_result.h"

#include <charconv>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl_view.h"

namespace custflow::clickhouse {
namespace {

enum class TypeKind { kSigned, kUnsigned, kFloat, kDecimal, kDate, kDateTime, kOther };

// The type inside Nullable(...) and LowCardinality(...) wrappers.
std::string_view BaseType(std::string_view type) {
  for (std::string_view wrapper : {"Nullable(", "LowCardinality("}) {
    if (type.starts_with(wrapper) && type.ends_with(")")) {
      return BaseType(type.substr(wrapper.size(), type.size() - wrapper.size() - 1));
    }
  }
  return type;
}

TypeKind KindOf(std::string_view type) {
  std::string_view base = BaseType(type);
  if (base == "Int8" || base == "Int16" || base == "Int32" || base == "Int64") {
    return TypeKind::kSigned;
  }
  if (base == "UInt8" || base == "UInt16" || base == "UInt32" || base == "UInt64") {
    return TypeKind::kUnsigned;
  }
  if (base == "Float32" || base == "Float64") return TypeKind::kFloat;
  if (base.starts_with("Decimal")) return TypeKind::kDecimal;
  if (base == "Date") return TypeKind::kDate;
  if (base == "DateTime" || base.starts_with("DateTime(")) return TypeKind::kDateTime;
  return TypeKind::kOther;
}

bool IsUtcDateTime(std::string_view type) {
  std::string_view base = BaseType(type);
  return base == "DateTime" || base == "DateTime('UTC')" || base == "DateTime('Etc/UTC')";
}

char EscapedByte(char c) {
  switch (c) {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case '0':
      return '\0';
    case 'a':
      return '\a';
    case 'v':
      return '\v';
    case 'e':
      return '\x1b';
    default:
      return c;  // \\ \' \" and any other byte stand for themselves
  }
}

std::optional<int> HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads "YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss" as UTC; ClickHouse 18.16 prints the epoch
// itself as "0000-00-00[ 00:00:00]".
std::optional<std::chrono::sys_seconds> ParseDateTime(std::string_view text) {
  if (text == "0000-00-00" || text == "0000-00-00 00:00:00") return std::chrono::sys_seconds{};
  const bool has_time = text.size() == 19;
  if (text.size() != 10 && !has_time) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  if (has_time && (text[10] != ' ' || text[13] != ':' || text[16] != ':')) return std::nullopt;
  auto year = ParseNumber<int>(text.substr(0, 4));
  auto month = ParseNumber<unsigned>(text.substr(5, 2));
  auto day = ParseNumber<unsigned>(text.substr(8, 2));
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                         std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  std::chrono::sys_seconds instant{std::chrono::sys_days(date)};
  if (!has_time) return instant;
  auto hours = ParseNumber<int>(text.substr(11, 2));
  auto minutes = ParseNumber<int>(text.substr(14, 2));
  auto seconds = ParseNumber<int>(text.substr(17, 2));
  if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59) {
    return std::nullopt;
  }
  return instant + std::chrono::hours(*hours) + std::chrono::minutes(*minutes) +
         std::chrono::seconds(*seconds);
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t end = text.find(separator); end != std::string_view::npos; end = text.find(separator, start)) {
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string Describe(size_t row, const Column& column) {
  return absl::StrCat("row ", row, ", column '", column.name, "' (", column.type, ")");
}

absl::Status CannotRead(size_t row, const Column& column, std::string_view as) {
  return absl::InvalidArgumentError(absl::StrCat(Describe(row, column), " cannot be read as ", AbslView(as)));
}

absl::Status CannotParse(size_t row, const Column& column, std::string_view text, std::string_view as) {
  return absl::InvalidArgumentError(
      absl::StrCat(Describe(row, column), ": cannot parse '", AbslView(text), "' as ", AbslView(as)));
}

}  // namespace

absl::StatusOr<std::string> UnescapeTabSeparated(std::string_view field) {
  std::string text;
  text.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      text.push_back(field[i]);
      continue;
    }
    if (++i == field.size()) {
      return absl::InvalidArgumentError("TabSeparated field ends with a lone backslash");
    }
    if (field[i] != 'x') {
      text.push_back(EscapedByte(field[i]));
      continue;
    }
    std::optional<int> high = i + 1 < field.size() ? HexValue(field[i + 1]) : std::nullopt;
    std::optional<int> low = i + 2 < field.size() ? HexValue(field[i + 2]) : std::nullopt;
    if (!high || !low) {
      return absl::InvalidArgumentError("TabSeparated field has a \\x escape without two hex digits");
    }
    text.push_back(static_cast<char>(*high * 16 + *low));
    i += 2;
  }
  return text;
}

absl::StatusOr<QueryResult> QueryResult::ParseTabSeparatedWithNamesAndTypes(std::string_view body) {
  QueryResult result;
  if (body.empty()) return result;
  if (body.back() == '\n') body.remove_suffix(1);
  std::vector<std::string_view> lines = Split(body, '\n');
  if (lines.size() < 2) {
    return absl::InvalidArgumentError("TabSeparatedWithNamesAndTypes body has no line of column types");
  }
  std::vector<std::string_view> names = Split(lines[0], '\t');
  std::vector<std::string_view> types = Split(lines[1], '\t');
  if (names.size() != types.size()) {
    return absl::InvalidArgumentError(absl::StrCat("TabSeparatedWithNamesAndTypes body has ", names.size(),
                                                   " column names but ", types.size(), " types"));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StatusOr<std::string> name = UnescapeTabSeparated(names[i]);
    absl::StatusOr<std::string> type = UnescapeTabSeparated(types[i]);
    if (!name.ok()) return name.status();
    if (!type.ok()) return type.status();
    result.columns_.push_back({*std::move(name), *std::move(type)});
  }
  result.row_count_ = lines.size() - 2;
  result.cells_.reserve(result.row_count_ * names.size());
  for (size_t row = 0; row < result.row_count_; ++row) {
    std::vector<std::string_view> fields = Split(lines[row + 2], '\t');
    if (fields.size() != names.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("TabSeparated row ", row, " has ", fields.size(), " fields, expected ", names.size()));
    }
    for (std::string_view field : fields) {
      if (field == "\\N") {
        result.cells_.push_back({"", true});
        continue;
      }
      absl::StatusOr<std::string> text = UnescapeTabSeparated(field);
      if (!text.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("row ", row, ": ", text.status().message()));
      }
      result.cells_.push_back({*std::move(text), false});
    }
  }
  return result;
}

absl::StatusOr<QueryResult> QueryResult::FromCells(
    std::vector<Column> columns, std::vector<std::vector<std::optional<std::string>>> rows) {
  QueryResult result;
  result.columns_ = std::move(columns);
  result.row_count_ = rows.size();
  for (size_t row = 0; row < rows.size(); ++row) {
    if (rows[row].size() != result.columns_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("row ", row, " has ", rows[row].size(), " cells, expected ", result.columns_.size()));
    }
    for (std::optional<std::string>& cell : rows[row]) {
      result.cells_.push_back({cell.value_or(""), !cell.has_value()});
    }
  }
  return result;
}

absl::StatusOr<size_t> QueryResult::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return absl::NotFoundError(absl::StrCat("query result has no column '", AbslView(name), "'"));
}

absl::StatusOr<QueryResult::Located> QueryResult::Find(size_t row, ColumnRef column) const {
  size_t index = column.index();
  if (column.by_name()) {
    absl::StatusOr<size_t> found = ColumnIndex(column.name());
    if (!found.ok()) return found.status();
    index = *found;
  }
  if (index >= columns_.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("column index ", index, " is past the ", columns_.size(), " columns of the result"));
  }
  if (row >= row_count_) {
    return absl::OutOfRangeError(
        absl::StrCat("row ", row, " is past the ", row_count_, " rows of the result"));
  }
  return Located{&cells_[row * columns_.size() + index], &columns_[index]};
}

absl::StatusOr<QueryResult::Located> QueryResult::FindNotNull(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = Find(row, column);
  if (found.ok() && found->cell->is_null) {
    return absl::FailedPreconditionError(absl::StrCat(Describe(row, *found->column), " is NULL"));
  }
  return found;
}

absl::StatusOr<bool> QueryResult::IsNull(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = Find(row, column);
  if (!found.ok()) return found.status();
  return found->cell->is_null;
}

absl::StatusOr<std::string> QueryResult::GetString(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = FindNotNull(row, column);
  if (!found.ok()) return found.status();
  return found->cell->text;
}

absl::StatusOr<int64_t> QueryResult::GetInt64(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = FindNotNull(row, column);
  if (!found.ok()) return found.status();
  const Column& info = *found->column;
  const std::string& text = found->cell->text;
  const TypeKind kind = KindOf(info.type);
  if (kind == TypeKind::kSigned) {
    if (auto value = ParseNumber<int64_t>(text)) return *value;
    return CannotParse(row, info, text, "Int64");
  }
  if (kind != TypeKind::kUnsigned) return CannotRead(row, info, "Int64");
  auto value = ParseNumber<uint64_t>(text);
  if (!value) return CannotParse(row, info, text, "Int64");
  if (*value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::OutOfRangeError(absl::StrCat(Describe(row, info), ": ", text, " does not fit Int64"));
  }
  return static_cast<int64_t>(*value);
}

absl::StatusOr<uint64_t> QueryResult::GetUInt64(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = FindNotNull(row, column);
  if (!found.ok()) return found.status();
  const Column& info = *found->column;
  const std::string& text = found->cell->text;
  const TypeKind kind = KindOf(info.type);
  if (kind == TypeKind::kUnsigned) {
    if (auto value = ParseNumber<uint64_t>(text)) return *value;
    return CannotParse(row, info, text, "UInt64");
  }
  if (kind != TypeKind::kSigned) return CannotRead(row, info, "UInt64");
  auto value = ParseNumber<int64_t>(text);
  if (!value) return CannotParse(row, info, text, "UInt64");
  if (*value < 0) {
    return absl::OutOfRangeError(absl::StrCat(Describe(row, info), ": ", text, " does not fit UInt64"));
  }
  return static_cast<uint64_t>(*value);
}

absl::StatusOr<double> QueryResult::GetDouble(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = FindNotNull(row, column);
  if (!found.ok()) return found.status();
  const Column& info = *found->column;
  const TypeKind kind = KindOf(info.type);
  if (kind != TypeKind::kFloat && kind != TypeKind::kDecimal && kind != TypeKind::kSigned &&
      kind != TypeKind::kUnsigned) {
    return CannotRead(row, info, "Float64");
  }
  if (auto value = ParseNumber<double>(found->cell->text)) return *value;
  return CannotParse(row, info, found->cell->text, "Float64");
}

absl::StatusOr<std::chrono::sys_seconds> QueryResult::GetTime(size_t row, ColumnRef column) const {
  absl::StatusOr<Located> found = FindNotNull(row, column);
  if (!found.ok()) return found.status();
  const Column& info = *found->column;
  const std::string& text = found->cell->text;
  switch (KindOf(info.type)) {
    case TypeKind::kDate:
      break;
    case TypeKind::kDateTime:
      if (!IsUtcDateTime(info.type)) {
        return absl::InvalidArgumentError(
            absl::StrCat(Describe(row, info), " is not in UTC; select toUnixTimestamp() of it instead"));
      }
      break;
    case TypeKind::kSigned:
    case TypeKind::kUnsigned:
      if (auto seconds = ParseNumber<int64_t>(text)) {
        return std::chrono::sys_seconds(std::chrono::seconds(*seconds));
      }
      return CannotParse(row, info, text, "Unix seconds");
    default:
      return CannotRead(row, info, "a time");
  }
  if (auto instant = ParseDateTime(text)) return *instant;
  return CannotParse(row, info, text, "a date and time");
}

}  // namespace custflow::clickhouse
