// CSV downloads of reporting answers: pure writers from a response to RFC 4180 text, with
// no I/O, so the HTTP front end only picks the writer and sets the headers.
//
// The text is UTF-8 with a byte order mark (so Excel reads Chinese correctly), one header
// row, CRLF line ends, and a field quoted only when it holds a comma, a quote, CR or LF
// (quotes doubled). Numbers are written in the shortest form that reads back to the same
// double; a value that is absent ("no value") is an empty field, not 0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "custflow/v1/reporting.pb.h"

namespace custflow::reporting {

// A header and rows of fields, each row as long as the header.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The field as written in a CSV line: quoted when it must be.
std::string CsvField(std::string_view field);
// The whole download: BOM, header, rows.
std::string ToCsv(const CsvTable& table);

// The enum value's name without `prefix`, in lower case: DIMENSION_PROVINCE -> "province".
std::string EnumLabel(const google::protobuf::EnumDescriptor* type, int number, std::string_view prefix);
// The instant's UTC date, YYYY-MM-DD.
std::string Date(const google::protobuf::Timestamp& instant);

// The number in its shortest exact form, e.g. "1234567.89", "0.1", "3".
std::string CsvNumber(double value);
// CsvNumber of the value, or an empty field when absent.
std::string CsvNumber(const std::optional<double>& value);

// "<method>-<YYYY-MM-DD>.<extension>" with the UTC date of `now`.
std::string DownloadFileName(std::string_view method, absl::Time now, std::string_view extension);

// One row per group: the dimension's value (and the second dimension's value in a cross
// table), customers, interactions and whether it is the "other" row. Columns are named
// after the request's dimensions, e.g. "province", "city".
CsvTable DistributionCsv(const v1::DistributionRequest& request, const v1::DistributionResponse& response);
// One row per MetricRow: period start (YYYY-MM-DD), one column per breakdown, value,
// previous value, change %, year-ago value, change %.
CsvTable MetricCsv(const v1::MetricQueryRequest& request, const v1::MetricQueryResponse& response);
// One row per finding, with its breakdown values joined by " / ".
CsvTable FindingsCsv(const v1::FindingsResponse& response);
// The top group then the bottom group, one row per customer with the group named.
CsvTable SatisfactionExtremesCsv(const v1::SatisfactionExtremesResponse& response);
// One row per group, then a "total" row.
CsvTable ComplaintAnalysisCsv(const v1::ComplaintAnalysisRequest& request,
                              const v1::ComplaintAnalysisResponse& response);

}  // namespace custflow::reporting
