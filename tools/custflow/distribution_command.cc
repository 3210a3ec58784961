// custflow distribution: options to a DistributionRequest, the response to a table.
#include "tools/custflow/distribution_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "custflow/domain/customer_type.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

const std::map<std::string, v1::Dimension>& DimensionNames() {
  static const std::map<std::string, v1::Dimension> dimensions = {
      {"province", v1::DIMENSION_PROVINCE},
      {"city", v1::DIMENSION_CITY},
      {"district", v1::DIMENSION_DISTRICT},
      {"department", v1::DIMENSION_DEPARTMENT},
      {"team", v1::DIMENSION_TEAM},
      {"owner", v1::DIMENSION_OWNER},
      {"industry", v1::DIMENSION_INDUSTRY},
      {"source", v1::DIMENSION_SOURCE},
      {"type", v1::DIMENSION_CUSTOMER_TYPE},
      {"stage", v1::DIMENSION_FOLLOW_UP_STAGE},
      {"tag", v1::DIMENSION_TAG},
      {"day", v1::DIMENSION_FIRST_CONTACT_DAY},
      {"week", v1::DIMENSION_FIRST_CONTACT_WEEK},
      {"month", v1::DIMENSION_FIRST_CONTACT_MONTH},
      {"quarter", v1::DIMENSION_FIRST_CONTACT_QUARTER},
      {"year", v1::DIMENSION_FIRST_CONTACT_YEAR},
  };
  return dimensions;
}

// The filter's list field each value option fills.
using ValueList = google::protobuf::RepeatedPtrField<std::string>* (v1::DistributionFilter::*)();
const std::map<std::string, ValueList>& ValueOptions() {
  static const std::map<std::string, ValueList> options = {
      {"--stage", &v1::DistributionFilter::mutable_follow_up_stages},
      {"--department", &v1::DistributionFilter::mutable_departments},
      {"--team", &v1::DistributionFilter::mutable_teams},
      {"--owner", &v1::DistributionFilter::mutable_owners},
      {"--province", &v1::DistributionFilter::mutable_provinces},
      {"--city", &v1::DistributionFilter::mutable_cities},
      {"--district", &v1::DistributionFilter::mutable_districts},
      {"--industry", &v1::DistributionFilter::mutable_industries},
      {"--source", &v1::DistributionFilter::mutable_sources},
      {"--tag", &v1::DistributionFilter::mutable_tags},
  };
  return options;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
    parts.push_back(text.substr(start, comma - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string RightAligned(const std::string& text, size_t width) {
  const size_t columns = DisplayWidth(text);
  return columns < width ? std::string(width - columns, ' ') + text : text;
}

std::string Shown(const v1::DistributionRow& row) {
  if (row.is_other()) return "(other)";
  return row.value().empty() ? "(none)" : row.value();
}

std::string ShownSecond(const std::string& value) { return value.empty() ? "(none)" : value; }

std::string Total(const v1::DistributionResponse& distribution) {
  return "total customers: " + std::to_string(distribution.total_customers()) + "\n";
}

std::string FormatTable(const v1::DistributionResponse& distribution) {
  // Values as wide as the widest (tags such as "attention:idle-high-potential" are long).
  size_t width = 16;
  for (const v1::DistributionRow& row : distribution.rows())
    width = std::max(width, DisplayWidth(Shown(row)));
  std::string text = Column("value", width) + " " + RightAligned("customers", 10) + " " +
                     RightAligned("interactions", 13) + "\n";
  for (const v1::DistributionRow& row : distribution.rows()) {
    text += Column(Shown(row), width) + " " + RightAligned(std::to_string(row.customers()), 10) + " " +
            RightAligned(std::to_string(row.interactions()), 13) + "\n";
  }
  return text + Total(distribution);
}

// Labels in order of their customers (summed over the other dimension), then by label.
std::vector<std::string> ByCustomers(const std::map<std::string, uint64_t>& customers) {
  std::vector<std::string> labels;
  for (const auto& [label, count] : customers) labels.push_back(label);
  std::stable_sort(labels.begin(), labels.end(), [&](const std::string& a, const std::string& b) {
    return customers.at(a) > customers.at(b);
  });
  return labels;
}

std::string FormatMatrix(const v1::DistributionResponse& distribution, const std::string& by,
                         const std::string& by2) {
  std::map<std::string, uint64_t> row_customers;
  std::map<std::string, uint64_t> other_customers;  // "(other)" goes last whatever its size
  std::map<std::string, uint64_t> column_customers;
  std::map<std::pair<std::string, std::string>, uint64_t> cells;
  for (const v1::DistributionRow& row : distribution.rows()) {
    (row.is_other() ? other_customers : row_customers)[Shown(row)] += row.customers();
    column_customers[ShownSecond(row.second_value())] += row.customers();
    cells[{Shown(row), ShownSecond(row.second_value())}] += row.customers();
  }
  std::vector<std::string> rows = ByCustomers(row_customers);
  for (const auto& [label, count] : other_customers) rows.push_back(label);
  const std::vector<std::string> columns = ByCustomers(column_customers);

  const std::string corner = by + " \\ " + by2;
  size_t first_width = DisplayWidth(corner);
  for (const std::string& row : rows) first_width = std::max(first_width, DisplayWidth(row));
  std::vector<size_t> widths;
  for (const std::string& column : columns) {
    size_t width = std::max<size_t>(DisplayWidth(column), 6);
    for (const std::string& row : rows) {
      auto cell = cells.find({row, column});
      if (cell != cells.end()) width = std::max(width, std::to_string(cell->second).size());
    }
    widths.push_back(width);
  }
  std::string text = Column(corner, first_width);
  for (size_t i = 0; i < columns.size(); ++i) text += "  " + RightAligned(columns[i], widths[i]);
  text += "\n";
  for (const std::string& row : rows) {
    text += Column(row, first_width);
    for (size_t i = 0; i < columns.size(); ++i) {
      auto cell = cells.find({row, columns[i]});
      text += "  " + RightAligned(std::to_string(cell == cells.end() ? 0 : cell->second), widths[i]);
    }
    text += "\n";
  }
  return text + Total(distribution);
}

}  // namespace

std::variant<v1::DistributionRequest, std::string> DistributionRequestFromOptions(
    const std::map<std::string, std::string>& options) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  for (const auto& [option, value] : options) {
    if (option == "--by" || option == "--by2") {
      auto dimension = DimensionNames().find(value);
      if (dimension == DimensionNames().end()) return "unknown dimension '" + value + "' for " + option;
      if (option == "--by") {
        request.set_dimension(dimension->second);
      } else {
        request.set_second_dimension(dimension->second);
      }
    } else if (option == "--top") {
      uint32_t top = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), top);
      if (error != std::errc() || end != value.data() + value.size() || top == 0) {
        return "--top wants a whole number above 0, not '" + value + "'";
      }
      request.set_top(top);
    } else if (option == "--type") {
      for (const std::string& word : SplitCommas(value)) {
        std::optional<v1::CustomerType> type = domain::CustomerTypeFromWord(word);
        if (!type) return "--type: '" + word + "' is not potential, closed or lost";
        request.mutable_filter()->add_customer_types(*type);
      }
    } else if (option == "--from" || option == "--to") {
      std::optional<std::chrono::sys_days> day = ParseDay(value);
      if (!day) return option + " wants a date as 2026-01-01, not '" + value + "'";
      // --to names the last day counted, so it ends at that day's last second.
      const int64_t seconds =
          std::chrono::sys_seconds(*day).time_since_epoch().count() + (option == "--to" ? 86399 : 0);
      (option == "--from" ? request.mutable_filter()->mutable_first_contact_from()
                          : request.mutable_filter()->mutable_first_contact_to())
          ->set_seconds(seconds);
    } else if (auto list = ValueOptions().find(option); list != ValueOptions().end()) {
      for (std::string& part : SplitCommas(value))
        (request.mutable_filter()->*(list->second))()->Add(std::move(part));
    } else {
      return "unknown option " + option;
    }
  }
  return request;
}

std::string FormatDistribution(const v1::DistributionResponse& distribution, const std::string& by,
                               const std::string& by2) {
  return by2.empty() ? FormatTable(distribution) : FormatMatrix(distribution, by, by2);
}

int DistributionCommand(int argc, char** argv) {
  if ((argc - 2) % 2 != 0) {
    std::fprintf(stderr, "custflow: distribution: every option takes a value\n");
    return 2;
  }
  const std::map<std::string, std::string> options = Options(argc, argv, 2);
  std::variant<v1::DistributionRequest, std::string> parsed = DistributionRequestFromOptions(options);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "custflow: distribution: %s\n", error->c_str());
    return 2;
  }
  const v1::DistributionRequest& request = std::get<v1::DistributionRequest>(parsed);
  auto reporting = v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::DistributionResponse distribution;
  if (grpc::Status status = reporting->Distribution(&context, request, &distribution); !status.ok()) {
    return Fail("distribution", status);
  }
  const std::string by = options.contains("--by") ? options.at("--by") : "province";
  const std::string by2 = options.contains("--by2") ? options.at("--by2") : "";
  std::fputs(FormatDistribution(distribution, by, by2).c_str(), stdout);
  return 0;
}

}  // namespace custflow::tools
