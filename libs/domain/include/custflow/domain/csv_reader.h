// Reading CSV files as spreadsheets export them: RFC 4180 records (quoted fields, doubled
// quotes, line breaks inside quotes, CRLF or LF), decoded to UTF-8 from UTF-8 with or
// without BOM or from GBK/GB18030 (Excel on Chinese Windows). Pure: bytes in, rows out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace custflow::domain {

enum class CsvEncoding {
  // UTF-8 when the bytes are valid UTF-8, else GB18030 (a superset of GBK).
  kAuto,
  kUtf8,
  kGbk,
};

// "auto", "utf-8" / "utf8", "gbk" / "gb18030" (any case); INVALID_ARGUMENT otherwise.
absl::StatusOr<CsvEncoding> ParseCsvEncoding(std::string_view name);

// The file's text as UTF-8, without a leading UTF-8 BOM. INVALID_ARGUMENT naming the line
// of the first byte that is not valid in the encoding.
absl::StatusOr<std::string> DecodeToUtf8(std::string_view bytes, CsvEncoding encoding);

struct CsvRow {
  // 1-based record number: the header is row 1, a blank line still counts as a row.
  uint64_t row_number = 0;
  // 1-based line where the record starts (differs from the row once a quoted cell spans
  // lines).
  uint64_t line_number = 0;
  std::vector<std::string> cells;
};

// Reads records one at a time from UTF-8 text, which must outlive the reader. Blank lines
// are skipped (they still count in row numbers), so trailing empty lines yield nothing.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // The next record, nullopt at the end of the text, or INVALID_ARGUMENT for a quote that
  // is never closed. After an error the reader is at the end.
  absl::StatusOr<std::optional<CsvRow>> Next();

 private:
  // Reads one record starting at `position_` into `cells`; false on an unterminated quote.
  bool ReadRecord(std::vector<std::string>& cells);

  std::string_view text_;
  size_t position_ = 0;
  uint64_t row_number_ = 0;
  uint64_t line_number_ = 1;
};

// Every record of `text`.
absl::StatusOr<std::vector<CsvRow>> ReadCsv(std::string_view text);

}  // namespace custflow::domain
