// Builds SQL text with values bound on the client side. ClickHouse 18.16 has no
// server-side query parameters, so values must become SQL literals; this file is the one
// place that turns values into SQL, and it never pastes a value unescaped:
//   - strings become '...' literals with backslash, quote and every control byte escaped
//     (\\, \', \n, \t, \r, \b, \f, \xHH), which ClickHouse 18.16 and current releases
//     read back byte for byte; other bytes (UTF-8 text included) pass through as they are;
//   - numbers are formatted exactly (doubles in their shortest round-trip form);
//   - identifiers (tables, columns) are never bound as values: QuoteIdentifier checks them
//     against a strict pattern and back-quotes them.
#pragma once

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace custflow::clickhouse {

// A string as a ClickHouse string literal, quotes included: O'Brien -> 'O\'Brien'.
std::string QuoteString(std::string_view value);

// `name` back-quoted after checking that it matches [A-Za-z_][A-Za-z0-9_]*; anything else
// (spaces, quotes, dots, empty) is INVALID_ARGUMENT.
absl::StatusOr<std::string> QuoteIdentifier(std::string_view name);

// A table name, optionally qualified by its database ("events" or "custflow.events"),
// with each part checked and back-quoted as by QuoteIdentifier.
absl::StatusOr<std::string> QuoteTableName(std::string_view name);

// The integers SqlValue writes as numbers; bool is written as 1 / 0 and char is refused,
// since a char is more likely meant as text than as a number.
template <typename T>
concept SqlInteger = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

// One value bound into SQL, already rendered as a literal. Built implicitly from:
//   integers -> 42, -7;  bool -> 1 / 0 (18.16 has no Bool);  floating point -> 0.5, 1e+300,
//   2.0, nan, inf, -inf;  text -> '...';  nullptr, std::nullopt or an empty optional -> NULL;
//   std::chrono::sys_days -> toDate('2024-05-01');  sys_seconds -> toDateTime(1714521600);
//   a range (std::vector, ...) of these -> an array [1, 2, 3].
// SqlValue::Tuple(range) makes a tuple (1, 2, 3), the form `x IN ?` needs.
// A value that cannot be written (an empty tuple, a date out of range) carries an error
// that Bind returns.
class SqlValue {
 public:
  SqlValue(std::nullptr_t) : literal_("NULL") {}
  SqlValue(std::nullopt_t) : literal_("NULL") {}

  template <std::same_as<bool> T>
  SqlValue(T value) : literal_(value ? "1" : "0") {}

  template <SqlInteger T>
  SqlValue(T value) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    literal_.assign(digits, end);
  }

  template <std::floating_point T>
  requires(!std::same_as<T, long double>) SqlValue(T value) : literal_(FormatFloat(value)) {}

  SqlValue(std::string_view text) : literal_(QuoteString(text)) {}
  SqlValue(const std::string& text) : literal_(QuoteString(text)) {}
  SqlValue(const char* text) : literal_(text == nullptr ? "NULL" : QuoteString(text)) {}

  SqlValue(std::chrono::sys_days day);
  SqlValue(std::chrono::sys_seconds instant);

  template <typename T>
  requires std::constructible_from<SqlValue, const T&> SqlValue(const std::optional<T>& value)
      : SqlValue(nullptr) {
    if (value.has_value()) *this = SqlValue(*value);
  }

  template <std::ranges::input_range Range>
  requires(!std::convertible_to<const Range&, std::string_view> &&
           std::constructible_from<SqlValue, std::ranges::range_reference_t<const Range>>)
      SqlValue(const Range& values)
      : SqlValue(List(values, '[', ']')) {}

  // A tuple for `IN ?`. ClickHouse has no empty tuple, so an empty range is an error:
  // handle the empty IN list before building the query.
  template <std::ranges::input_range Range>
  requires std::constructible_from<SqlValue, std::ranges::range_reference_t<const Range>>
  static SqlValue Tuple(const Range& values) {
    if (std::ranges::empty(values)) {
      return Error("an empty tuple cannot be written in ClickHouse SQL");
    }
    return List(values, '(', ')');
  }

  // The SQL literal, e.g. 'O\'Brien'; meaningful only when status() is OK.
  const std::string& literal() const { return literal_; }
  const absl::Status& status() const { return status_; }

 private:
  SqlValue() = default;

  static SqlValue Error(std::string_view message);
  // Shortest text that reads back as the same float or double.
  static std::string FormatFloat(float value);
  static std::string FormatFloat(double value);

  template <typename Range>
  static SqlValue List(const Range& values, char open, char close) {
    SqlValue list;
    list.literal_.push_back(open);
    for (const auto& element : values) {
      SqlValue item(element);
      if (!item.status_.ok()) return item;
      if (list.literal_.size() > 1) list.literal_.append(", ");
      list.literal_.append(item.literal_);
    }
    list.literal_.push_back(close);
    return list;
  }

  std::string literal_;
  absl::Status status_;
};

// Replaces each `?` placeholder in `sql` with the next value's literal. A `?` inside a
// quoted string ('...'), a quoted identifier ("..." or `...`) or a comment is left alone,
// so only placeholders are replaced (ClickHouse's `a ? b : c` operator must be written
// as if(a, b, c) in a template). Errors are INVALID_ARGUMENT: placeholders and values
// differ in number, a quote is never closed, or a value carries an error.
//
//   auto sql = Bind("SELECT count() FROM events WHERE name = ? AND day >= ?", name, day);
absl::StatusOr<std::string> BindValues(std::string_view sql, absl::Span<const SqlValue> values);

template <typename... Args>
absl::StatusOr<std::string> Bind(std::string_view sql, const Args&... args) {
  return BindValues(sql, {SqlValue(args)...});
}

// A query assembled from pieces, each added with the values of its `?` placeholders, and
// bound once at the end: for builders that choose their clauses as they go.
//
//   SqlText sql;
//   sql.Add("SELECT count() FROM events WHERE day >= ?", day);
//   if (name) sql.Add(" AND name = ?", *name);
//   absl::StatusOr<std::string> text = sql.Bind();
class SqlText {
 public:
  SqlText& Add(std::string_view text) {
    text_ += text;
    return *this;
  }
  SqlText& Add(std::string_view text, SqlValue value) {
    text_ += text;
    values_.push_back(std::move(value));
    return *this;
  }
  SqlText& Add(const SqlText& other) {
    text_ += other.text_;
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
    return *this;
  }
  absl::StatusOr<std::string> Bind() const { return BindValues(text_, values_); }

 private:
  std::string text_;
  std::vector<SqlValue> values_;
};

}  // namespace custflow::clickhouse
