// Encodes rows in ClickHouse's RowBinary format for ClickHouseClient::Insert. The reporting
// sink encodes millions of rows a second, so every value is appended to one growing buffer:
// no allocation per field, and Insert posts the buffer as it is.
#pragma once

#include <bit>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"

namespace custflow::clickhouse {

static_assert(std::endian::native == std::endian::little,
              "RowBinary is little-endian and values are copied as they are in memory");

// The element types WriteArray copies as they are: integers and floating point, not bool.
template <typename T>
concept RowBinaryNumber = std::is_arithmetic_v<T> && !std::same_as<T, bool>;

// Write the values of a row in the order of the columns given to Insert, then EndRow().
// Each Write* call must match its column's type exactly (WriteUInt32 for UInt32, ...):
// RowBinary carries no type information, so a mismatch garbles or rejects the insert.
//
//   RowBinaryWriter rows;
//   rows.WriteUInt64(customer_id);
//   rows.WriteString(name);
//   rows.WriteNull();                      // Nullable(String) column: NULL
//   rows.WriteNotNull(); rows.WriteString(city);  // Nullable(String) column: a value
//   rows.EndRow();
//
// Functions that can reject a value return absl::Status and write nothing when they do;
// the row is then incomplete, so DiscardRow() drops it and the rows before it stay.
class RowBinaryWriter {
 public:
  RowBinaryWriter() = default;

  void WriteUInt8(uint8_t value) { AppendRaw(value); }
  void WriteUInt16(uint16_t value) { AppendRaw(value); }
  void WriteUInt32(uint32_t value) { AppendRaw(value); }
  void WriteUInt64(uint64_t value) { AppendRaw(value); }
  void WriteInt8(int8_t value) { AppendRaw(value); }
  void WriteInt16(int16_t value) { AppendRaw(value); }
  void WriteInt32(int32_t value) { AppendRaw(value); }
  void WriteInt64(int64_t value) { AppendRaw(value); }
  void WriteFloat32(float value) { AppendRaw(value); }
  void WriteFloat64(double value) { AppendRaw(value); }

  // String: any bytes (UTF-8 text, NUL included), prefixed by its varint length.
  void WriteString(std::string_view value) {
    WriteVarUInt(value.size());
    buffer_.append(value);
  }

  // FixedString(`length`): `value` padded with NUL bytes to `length`. Longer values are
  // rejected with INVALID_ARGUMENT rather than cut.
  absl::Status WriteFixedString(std::string_view value, size_t length);

  // Date: days since 1970-01-01. The typed form rejects days outside ClickHouse's range
  // (1970-01-01 .. 2149-06-06) with OUT_OF_RANGE.
  void WriteDate(uint16_t days_since_epoch) { AppendRaw(days_since_epoch); }
  absl::Status WriteDate(std::chrono::sys_days day);

  // DateTime: seconds since the Unix epoch (UTC). The typed form rejects instants outside
  // ClickHouse's range (1970 .. 2106) with OUT_OF_RANGE.
  void WriteDateTime(uint32_t seconds_since_epoch) { AppendRaw(seconds_since_epoch); }
  absl::Status WriteDateTime(std::chrono::sys_seconds instant);

  // Nullable(T): WriteNull() alone for NULL; WriteNotNull() followed by the T value.
  void WriteNull() { buffer_.push_back('\1'); }
  void WriteNotNull() { buffer_.push_back('\0'); }

  // Array(T) of numbers from a contiguous container, e.g. std::vector<uint32_t> for
  // Array(UInt32).
  template <std::ranges::contiguous_range Range>
  requires RowBinaryNumber<std::ranges::range_value_t<Range>>
  void WriteArray(const Range& values) {
    using T = std::ranges::range_value_t<Range>;
    WriteVarUInt(std::ranges::size(values));
    buffer_.append(reinterpret_cast<const char*>(std::ranges::data(values)),
                   std::ranges::size(values) * sizeof(T));
  }
  // Array(String) from any sized range of strings or string views.
  template <std::ranges::sized_range Range>
  requires std::convertible_to<std::ranges::range_reference_t<const Range>, std::string_view>
  void WriteArray(const Range& values) {
    WriteVarUInt(std::ranges::size(values));
    for (std::string_view value : values) WriteString(value);
  }

  // Ends the current row; everything written since the previous EndRow() forms one row.
  void EndRow() {
    row_start_ = buffer_.size();
    ++row_count_;
  }
  // Drops what was written since the last EndRow(), e.g. after a rejected value.
  void DiscardRow() { buffer_.resize(row_start_); }

  // Forgets all rows but keeps the buffer's capacity, so a sink can reuse one writer.
  void Clear() {
    buffer_.clear();
    row_start_ = 0;
    row_count_ = 0;
  }
  void Reserve(size_t bytes) { buffer_.reserve(bytes); }

  size_t row_count() const { return row_count_; }
  // True when values were written after the last EndRow().
  bool has_unfinished_row() const { return buffer_.size() != row_start_; }
  // The encoded rows, ready to be posted.
  std::string_view data() const { return buffer_; }
  size_t size_bytes() const { return buffer_.size(); }

 private:
  template <typename T>
  void AppendRaw(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    buffer_.append(bytes, sizeof(T));
  }

  // LEB128, as ClickHouse's writeVarUInt.
  void WriteVarUInt(uint64_t value) {
    char bytes[10];
    size_t n = 0;
    while (value >= 0x80) {
      bytes[n++] = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    bytes[n++] = static_cast<char>(value);
    buffer_.append(bytes, n);
  }

  std::string buffer_;
  size_t row_start_ = 0;
  size_t row_count_ = 0;
};

}  // namespace custflow::clickhouse
