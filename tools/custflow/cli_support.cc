// Helpers shared by the custflow subcommands.
#include "tools/custflow/cli_support.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "custflow/core/service_host.h"

namespace custflow::tools {

std::string Address(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() {
  auto file = [](const char* variable) { return Address(variable, ""); };
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = core::ClientCredentials(
      {file("CUSTFLOW_TLS_CA_FILE"), file("CUSTFLOW_TLS_CERT_FILE"), file("CUSTFLOW_TLS_KEY_FILE")});
  if (!credentials.ok()) {
    std::fprintf(stderr, "custflow: %s\n", std::string(credentials.status().message()).c_str());
    std::exit(2);
  }
  return *std::move(credentials);
}

std::shared_ptr<grpc::Channel> Connect(const char* variable, const char* fallback) {
  return grpc::CreateChannel(Address(variable, fallback), ChannelCredentials());
}

std::map<std::string, std::string> Options(int argc, char** argv, int first) {
  std::map<std::string, std::string> options;
  for (int i = first; i + 1 < argc; i += 2) options[argv[i]] = argv[i + 1];
  return options;
}

int Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "custflow: %s: %s (%d)\n", what.c_str(), status.error_message().c_str(),
               static_cast<int>(status.error_code()));
  return 1;
}

std::string BearerAuthorization() {
  const char* token = std::getenv("CUSTFLOW_TOKEN");
  return token != nullptr && *token != '\0' ? std::string("Bearer ") + token : std::string();
}

void AddCredentials(grpc::ClientContext& context) {
  if (std::string authorization = BearerAuthorization(); !authorization.empty()) {
    context.AddMetadata("authorization", authorization);
  }
}

void PrepareCall(grpc::ClientContext& context, int seconds) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  AddCredentials(context);
}

size_t DisplayWidth(std::string_view text) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    uint32_t code = lead < 0x80 ? lead : lead & (0xFF >> (length + 1));
    for (size_t k = 1; k < length && i + k < text.size(); ++k) code = (code << 6) | (text[i + k] & 0x3F);
    bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                (code >= 0xFFE0 && code <= 0xFFE6);
    columns += wide ? 2 : 1;
    i += length;
  }
  return columns;
}

std::string Column(std::string_view text, size_t width) {
  size_t columns = DisplayWidth(text);
  std::string padded(text);
  if (columns < width) padded.append(width - columns, ' ');
  return padded;
}

std::optional<std::chrono::sys_days> ParseDay(const std::string& text) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &year, &month, &day, &tail) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date);
}

std::string DayText(int64_t seconds) {
  const std::chrono::year_month_day date(
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(seconds))));
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

const std::map<std::string, v1::MetricGranularity>& MetricGranularities() {
  static const std::map<std::string, v1::MetricGranularity> granularities = {
      {"day", v1::METRIC_GRANULARITY_DAY},     {"week", v1::METRIC_GRANULARITY_WEEK},
      {"month", v1::METRIC_GRANULARITY_MONTH}, {"quarter", v1::METRIC_GRANULARITY_QUARTER},
      {"year", v1::METRIC_GRANULARITY_YEAR},
  };
  return granularities;
}

const std::map<std::string, v1::MetricDimension>& MetricDimensions() {
  static const std::map<std::string, v1::MetricDimension> dimensions = {
      {"department", v1::METRIC_DIMENSION_DEPARTMENT}, {"team", v1::METRIC_DIMENSION_TEAM},
      {"owner", v1::METRIC_DIMENSION_OWNER},           {"channel", v1::METRIC_DIMENSION_CHANNEL},
      {"province", v1::METRIC_DIMENSION_PROVINCE},     {"city", v1::METRIC_DIMENSION_CITY},
      {"district", v1::METRIC_DIMENSION_DISTRICT},     {"type", v1::METRIC_DIMENSION_CUSTOMER_TYPE},
      {"industry", v1::METRIC_DIMENSION_INDUSTRY},     {"source", v1::METRIC_DIMENSION_SOURCE},
  };
  return dimensions;
}

std::string GranularityWord(v1::MetricGranularity granularity, bool chinese) {
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return chinese ? "日" : "day";
    case v1::METRIC_GRANULARITY_WEEK:
      return chinese ? "周" : "week";
    case v1::METRIC_GRANULARITY_MONTH:
      return chinese ? "月" : "month";
    case v1::METRIC_GRANULARITY_QUARTER:
      return chinese ? "季度" : "quarter";
    case v1::METRIC_GRANULARITY_YEAR:
      return chinese ? "年" : "year";
    default:
      return "?";
  }
}

std::string MetricDimensionWord(int dimension) {
  for (const auto& [word, value] : MetricDimensions()) {
    if (value == dimension) return word;
  }
  return "?";
}

}  // namespace custflow::tools
