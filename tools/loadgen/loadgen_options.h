// The command line of custflow-loadgen: what to send, where, how fast and for how long.
// Parsing is separate from running so that every option and its errors are unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace custflow::loadgen {

enum class Mode { kStream, kBatch, kHttp, kFile };
enum class FileFormat { kJson, kBinary };

struct LoadgenOptions {
  Mode mode = Mode::kStream;
  std::string target;  // gRPC ingest, host:port
  std::string url;     // HTTP ingest endpoint
  double rate = 1000;  // events per second; 0 = as fast as possible
  std::optional<std::chrono::duration<double>> duration{};
  std::optional<uint64_t> events{};
  int batch = 100;      // events per batch, stream message or HTTP request
  int concurrency = 1;  // parallel streams or clients
  uint64_t seed = 1;
  int customers = 1000;
  double identity_mix = 0.2;
  std::string output;
  FileFormat format = FileFormat::kJson;
  bool upsert_customers = false;
  std::string profile_target;
  std::string run;                                  // id prefix; empty means derived from the start time
  std::optional<int64_t> now{};                     // the generator's clock, unix seconds
  std::chrono::duration<double> timeout{30};        // per request; longest wait for any result
  std::chrono::duration<double> drain_timeout{10};  // after the last send
  int max_in_flight = 10'000;                       // unanswered events per stream
  std::string acked_ids;                            // file for acknowledged event ids; empty = none
  std::string refused_ids;                          // file for "<event id> <code name>" lines
  bool help = false;
};

// getenv's shape: the variable's value or null.
using EnvLookup = std::function<const char*(const char*)>;

// Parses `args` (without the program name). Defaults for the addresses come from
// CUSTFLOW_INGEST_ADDRESS and CUSTFLOW_PROFILE_ADDRESS through `env`.
absl::StatusOr<LoadgenOptions> ParseLoadgenOptions(const std::vector<std::string>& args,
                                                   const EnvLookup& env);

std::string LoadgenHelp();

const char* ModeName(Mode mode);

}  // namespace custflow::loadgen
