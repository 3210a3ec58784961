// What every custflow subcommand shares: service addresses, credentials, error reporting,
// deadlines and table columns that line up on a terminal (CJK characters take two columns).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "custflow/v1/metrics.pb.h"

namespace custflow::tools {

// The address in environment variable `variable`, or `fallback` when it is unset or empty.
std::string Address(const char* variable, const char* fallback);

// The channel credentials the environment asks for: TLS trusting CUSTFLOW_TLS_CA_FILE when
// it is set, presenting CUSTFLOW_TLS_CERT_FILE / CUSTFLOW_TLS_KEY_FILE for mutual TLS;
// plaintext otherwise. Exits with a message when a file cannot be read.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials();

// A channel to the address in `variable` (or `fallback`) with ChannelCredentials().
std::shared_ptr<grpc::Channel> Connect(const char* variable, const char* fallback);

// "--name value" options after the subcommand.
std::map<std::string, std::string> Options(int argc, char** argv, int first);

// Prints "custflow: <what>: <message> (<code>)" to stderr and returns exit code 1.
int Fail(const std::string& what, const grpc::Status& status);

// "Bearer $CUSTFLOW_TOKEN", or empty when CUSTFLOW_TOKEN is unset or empty: the
// credentials every custflow client (this CLI, the load and bench tools) sends, as gRPC
// "authorization" metadata or an HTTP Authorization header (docs/SECURITY.md).
std::string BearerAuthorization();

// Sends BearerAuthorization() with the call, when there is one.
void AddCredentials(grpc::ClientContext& context);

// A deadline `seconds` from now, and the credentials (AddCredentials).
void PrepareCall(grpc::ClientContext& context, int seconds);

// Terminal columns `text` takes: printf's byte-counted widths would misalign Chinese names.
size_t DisplayWidth(std::string_view text);

// `text` padded with spaces to `width` terminal columns.
std::string Column(std::string_view text, size_t width);

// "2026-01-01" as that day (UTC); nullopt for anything else.
std::optional<std::chrono::sys_days> ParseDay(const std::string& text);
// Unix seconds as the day "2026-01-01" (UTC).
std::string DayText(int64_t seconds);

// The words for metric granularities ("month") and dimensions ("province") on the
// command line.
const std::map<std::string, v1::MetricGranularity>& MetricGranularities();
const std::map<std::string, v1::MetricDimension>& MetricDimensions();
// A period's length in words: "month" / "月" (the Chinese for reports in Chinese).
std::string GranularityWord(v1::MetricGranularity granularity, bool chinese);
// The word of a metric dimension; "?" for one without.
std::string MetricDimensionWord(int dimension);

}  // namespace custflow::tools
