// Runs a load: the workers of one transport share the schedule until it runs out (or one
// of them hits an error that ends the run), then their statistics are merged.
#pragma once

#include <chrono>
#include <cstdio>

#include "absl/status/status.h"
#include "tools/loadgen/run_stats.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {

struct RunResult {
  RunStats stats;
  RunSummary summary;
  absl::Status status;  // the error that ended the run early, if any
};

// Runs `workers` workers of `transport`; while they run, writes a progress line to
// `progress` (when not null) every `progress_every`.
RunResult RunLoad(const LoadContext& context, Transport& transport, int workers, std::FILE* progress,
                  std::chrono::seconds progress_every = std::chrono::seconds(5));

}  // namespace custflow::loadgen
