#include "custflow/domain/csv_reader.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "custflow/domain/text.h"

namespace custflow::domain {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

uint64_t LineOf(std::string_view bytes, size_t offset) {
  return 1 + static_cast<uint64_t>(
                 std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// GB18030 to UTF-8 with iconv; INVALID_ARGUMENT at the first undecodable byte.
absl::StatusOr<std::string> Gb18030ToUtf8(std::string_view bytes) {
  iconv_t converter = iconv_open("UTF-8", "GB18030");
  if (converter == reinterpret_cast<iconv_t>(-1)) {
    return absl::InternalError("GB18030 decoding is not available (iconv)");
  }
  // Each GB18030 byte becomes at most 2 UTF-8 bytes (4-byte sequences give 4), so twice
  // the input plus a little always fits.
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_cursor = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_cursor = out.data();
  size_t out_left = out.size();
  size_t result = iconv(converter, &in_cursor, &in_left, &out_cursor, &out_left);
  int error = errno;
  iconv_close(converter);
  if (result == static_cast<size_t>(-1)) {
    size_t offset = bytes.size() - in_left;
    std::string what = error == EINVAL ? "the file ends inside a GBK character" : "a byte that is not GBK";
    return absl::InvalidArgumentError("cannot decode the file as GBK: " + what + " at line " +
                                      std::to_string(LineOf(bytes, offset)) + " (byte " +
                                      std::to_string(offset) + ")");
  }
  out.resize(out.size() - out_left);
  return out;
}

// Offset of the first line that is not valid UTF-8, or npos. Line by line is exact: a
// newline byte never occurs inside a multi-byte UTF-8 sequence.
size_t FirstInvalidUtf8Line(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string_view::npos;
  for (size_t begin = 0; begin < bytes.size();) {
    size_t end = std::min(bytes.find('\n', begin), bytes.size());
    if (!IsValidUtf8(bytes.substr(begin, end - begin))) return begin;
    begin = end + 1;
  }
  return std::string_view::npos;
}

}  // namespace

absl::StatusOr<CsvEncoding> ParseCsvEncoding(std::string_view name) {
  std::string lower = Lower(name);
  if (lower == "auto") return CsvEncoding::kAuto;
  if (lower == "utf-8" || lower == "utf8") return CsvEncoding::kUtf8;
  if (lower == "gbk" || lower == "gb18030" || lower == "gb2312") return CsvEncoding::kGbk;
  return absl::InvalidArgumentError("unknown encoding '" + std::string(name) + "' (use auto, utf-8 or gbk)");
}

absl::StatusOr<std::string> DecodeToUtf8(std::string_view bytes, CsvEncoding encoding) {
  if (bytes.starts_with(kUtf8Bom)) {
    // A BOM settles the question, whatever was asked.
    bytes.remove_prefix(kUtf8Bom.size());
    encoding = CsvEncoding::kUtf8;
  }
  if (encoding == CsvEncoding::kGbk) return Gb18030ToUtf8(bytes);
  size_t invalid = FirstInvalidUtf8Line(bytes);
  if (invalid == std::string_view::npos) return std::string(bytes);
  if (encoding == CsvEncoding::kAuto) return Gb18030ToUtf8(bytes);
  return absl::InvalidArgumentError("the file is not valid UTF-8: line " +
                                    std::to_string(LineOf(bytes, invalid)) + " (byte " +
                                    std::to_string(invalid) + "); try --encoding gbk");
}

bool CsvReader::ReadRecord(std::vector<std::string>& cells) {
  std::string cell;
  while (position_ < text_.size()) {
    char c = text_[position_];
    if (c == '"' && cell.empty()) {
      ++position_;
      bool closed = false;
      while (position_ < text_.size()) {
        char q = text_[position_++];
        if (q == '"') {
          if (position_ < text_.size() && text_[position_] == '"') {
            cell.push_back('"');
            ++position_;
            continue;
          }
          closed = true;
          break;
        }
        if (q == '\n') ++line_number_;
        cell.push_back(q);
      }
      if (!closed) return false;
      continue;
    }
    if (c == ',') {
      cells.push_back(std::move(cell));
      cell.clear();
      ++position_;
      continue;
    }
    if (c == '\r' || c == '\n') {
      ++position_;
      if (c == '\r' && position_ < text_.size() && text_[position_] == '\n') ++position_;
      ++line_number_;
      break;
    }
    cell.push_back(c);
    ++position_;
  }
  cells.push_back(std::move(cell));
  return true;
}

absl::StatusOr<std::optional<CsvRow>> CsvReader::Next() {
  while (position_ < text_.size()) {
    CsvRow row;
    row.row_number = ++row_number_;
    row.line_number = line_number_;
    if (!ReadRecord(row.cells)) {
      position_ = text_.size();
      return absl::InvalidArgumentError("unterminated quote at row " + std::to_string(row.row_number) +
                                        " (line " + std::to_string(row.line_number) +
                                        "): a cell opens with \" and never closes");
    }
    bool blank_line = row.cells.size() == 1 && row.cells[0].empty();
    if (!blank_line) return row;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<CsvRow>> ReadCsv(std::string_view text) {
  CsvReader reader(text);
  std::vector<CsvRow> rows;
  while (true) {
    absl::StatusOr<std::optional<CsvRow>> row = reader.Next();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(std::move(**row));
  }
}

}  // namespace custflow::domain
