// The RowBinary encodings that validate their value; the rest are inline in the header.
#include "custflow/clickhouse/row_binary_writer.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace custflow::clickhouse {

absl::Status RowBinaryWriter::WriteFixedString(std::string_view value, size_t length) {
  if (value.size() > length) {
    return absl::InvalidArgumentError(
        absl::StrCat("value of ", value.size(), " bytes does not fit FixedString(", length, ")"));
  }
  buffer_.append(value);
  buffer_.append(length - value.size(), '\0');
  return absl::OkStatus();
}

absl::Status RowBinaryWriter::WriteDate(std::chrono::sys_days day) {
  const auto days = day.time_since_epoch().count();
  if (days < 0 || days > std::numeric_limits<uint16_t>::max()) {
    return absl::OutOfRangeError(
        absl::StrCat("day ", days, " since 1970-01-01 is outside ClickHouse's Date range"));
  }
  WriteDate(static_cast<uint16_t>(days));
  return absl::OkStatus();
}

absl::Status RowBinaryWriter::WriteDateTime(std::chrono::sys_seconds instant) {
  const auto seconds = instant.time_since_epoch().count();
  if (seconds < 0 || seconds > std::numeric_limits<uint32_t>::max()) {
    return absl::OutOfRangeError(
        absl::StrCat("Unix time ", seconds, " is outside ClickHouse's DateTime range"));
  }
  WriteDateTime(static_cast<uint32_t>(seconds));
  return absl::OkStatus();
}

}  // namespace custflow::clickhouse
