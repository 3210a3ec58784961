// Client-side binding of values into ClickHouse SQL: literal rendering and the placeholder
// scanner. See sql.h for the guarantees.
#include "custflow/clickhouse/sql.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl_view.h"

namespace custflow::clickhouse {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

void AppendEscapedByte(char c, std::string& out) {
  switch (c) {
    case '\\':
      out.append("\\\\");
      return;
    case '\'':
      out.append("\\'");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\t':
      out.append("\\t");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\b':
      out.append("\\b");
      return;
    case '\f':
      out.append("\\f");
      return;
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f) {
    // \x00 rather than \0, so a following digit can never be read as part of the escape.
    out.append("\\x");
    out.push_back(kHexDigits[byte >> 4]);
    out.push_back(kHexDigits[byte & 0xf]);
    return;
  }
  out.push_back(c);
}

bool IsValidIdentifier(std::string_view name) {
  if (name.empty()) return false;
  if (!absl::ascii_isalpha(name[0]) && name[0] != '_') return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

template <typename T>
std::string FormatShortest(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  auto end = std::to_chars(text, text + sizeof text, value).ptr;
  std::string literal(text, end);
  // "2" would be read as an integer; "2.0" keeps the literal a floating point number.
  if (literal.find_first_of(".e") == std::string::npos) literal.append(".0");
  return literal;
}

// Returns the position just past the quoted span that opens at `sql[start]`, whose closing
// quote equals the opening one; a backslash escapes the next byte and a doubled quote
// stands for itself. std::nullopt when the quote is never closed.
std::optional<size_t> SkipQuoted(std::string_view sql, size_t start) {
  const char quote = sql[start];
  for (size_t i = start + 1; i < sql.size(); ++i) {
    if (sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return std::nullopt;
}

// Returns the position just past the comment that opens at `sql[start]`, or `start` when
// no comment opens there.
size_t SkipComment(std::string_view sql, size_t start) {
  std::string_view rest = sql.substr(start);
  if (rest.starts_with("--")) {
    size_t end = sql.find('\n', start);
    return end == std::string_view::npos ? sql.size() : end;
  }
  if (rest.starts_with("/*")) {
    size_t end = sql.find("*/", start + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  return start;
}

}  // namespace

std::string QuoteString(std::string_view value) {
  std::string literal;
  literal.reserve(value.size() + 2);
  literal.push_back('\'');
  for (char c : value) AppendEscapedByte(c, literal);
  literal.push_back('\'');
  return literal;
}

absl::StatusOr<std::string> QuoteIdentifier(std::string_view name) {
  if (!IsValidIdentifier(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid SQL identifier ", QuoteString(name),
                     ": expected letters, digits and '_', not starting with a digit"));
  }
  return absl::StrCat("`", AbslView(name), "`");
}

absl::StatusOr<std::string> QuoteTableName(std::string_view name) {
  std::vector<std::string_view> parts;
  if (size_t dot = name.find('.'); dot != std::string_view::npos) {
    parts = {name.substr(0, dot), name.substr(dot + 1)};
  } else {
    parts = {name};
  }
  if (parts.back().find('.') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid table name ", QuoteString(name), ": expected table or db.table"));
  }
  std::string quoted;
  for (std::string_view part : parts) {
    absl::StatusOr<std::string> identifier = QuoteIdentifier(part);
    if (!identifier.ok()) return identifier.status();
    if (!quoted.empty()) quoted.push_back('.');
    quoted.append(*identifier);
  }
  return quoted;
}

SqlValue::SqlValue(std::chrono::sys_days day) {
  const auto days = day.time_since_epoch().count();
  if (days < 0 || days > 65535) {
    *this = Error(absl::StrCat("day ", days, " since 1970-01-01 is outside ClickHouse's Date range"));
    return;
  }
  const std::chrono::year_month_day date(day);
  char text[32];
  std::snprintf(text, sizeof text, "toDate('%04d-%02u-%02u')", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  literal_ = text;
}

SqlValue::SqlValue(std::chrono::sys_seconds instant) {
  const auto seconds = instant.time_since_epoch().count();
  if (seconds < 0 || seconds > 4294967295) {
    *this = Error(absl::StrCat("Unix time ", seconds, " is outside ClickHouse's DateTime range"));
    return;
  }
  literal_ = absl::StrCat("toDateTime(", seconds, ")");
}

SqlValue SqlValue::Error(std::string_view message) {
  SqlValue value;
  value.status_ = absl::InvalidArgumentError(AbslView(message));
  return value;
}

std::string SqlValue::FormatFloat(float value) { return FormatShortest(value); }
std::string SqlValue::FormatFloat(double value) { return FormatShortest(value); }

absl::StatusOr<std::string> BindValues(std::string_view sql, absl::Span<const SqlValue> values) {
  std::string bound;
  bound.reserve(sql.size() + 16 * values.size());
  size_t next_value = 0;
  size_t placeholders = 0;
  size_t copied_up_to = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      std::optional<size_t> end = SkipQuoted(sql, i);
      if (!end.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unterminated ", std::string(1, c), " quote at offset ", i, " in SQL"));
      }
      i = *end;
      continue;
    }
    if (size_t end = SkipComment(sql, i); end != i) {
      i = end;
      continue;
    }
    if (c == '?') {
      ++placeholders;
      if (next_value < values.size()) {
        const SqlValue& value = values[next_value++];
        if (!value.status().ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("value for placeholder ", placeholders, ": ", value.status().message()));
        }
        bound.append(sql.substr(copied_up_to, i - copied_up_to));
        bound.append(value.literal());
        copied_up_to = i + 1;
      }
    }
    ++i;
  }
  if (placeholders != values.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SQL has ", placeholders, " placeholders but ", values.size(), " values were given"));
  }
  bound.append(sql.substr(copied_up_to));
  return bound;
}

}  // namespace custflow::clickhouse
