// custflow-loadgen: realistic synthetic interaction events at a set rate, over a gRPC
// stream, gRPC batches, HTTP or into a file, with a report of what was acknowledged and
// how fast. `custflow-loadgen --help` lists the options.
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "custflow/sample/sample_generator.h"
#include "tools/loadgen/customer_upload.h"
#include "tools/loadgen/event_id_log.h"
#include "tools/loadgen/load_run.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

constexpr int kIncomplete = 1;
constexpr int kUsage = 2;
constexpr int kCannotRun = 3;

int Fail(int exit_code, const absl::Status& status) {
  std::fprintf(stderr, "custflow-loadgen: %s\n", std::string(status.message()).c_str());
  return exit_code;
}

sample::GeneratorOptions GeneratorOptionsFor(const LoadgenOptions& options) {
  sample::GeneratorOptions generator;
  generator.seed = options.seed;
  generator.customers = options.customers;
  generator.identity_mix = options.identity_mix;
  auto now = std::chrono::system_clock::now();
  generator.run =
      options.run.empty()
          ? "lg" + std::to_string(
                       std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count())
          : options.run;
  if (options.now) generator.now = std::chrono::system_clock::time_point(std::chrono::seconds(*options.now));
  return generator;
}

absl::StatusOr<std::unique_ptr<Transport>> MakeTransport(const LoadContext& context) {
  switch (context.options.mode) {
    case Mode::kStream:
      return MakeStreamTransport(context);
    case Mode::kBatch:
      return MakeBatchTransport(context);
    case Mode::kHttp:
      return MakeHttpTransport(context);
    case Mode::kFile:
      return MakeFileTransport(context);
  }
  return absl::InvalidArgumentError("unknown mode");
}

std::string Destination(const LoadgenOptions& options) {
  switch (options.mode) {
    case Mode::kHttp:
      return options.url;
    case Mode::kFile:
      return options.output;
    default:
      return options.target;
  }
}

int Run(const LoadgenOptions& options) {
  sample::SampleGenerator generator(GeneratorOptionsFor(options));
  if (options.upsert_customers) {
    absl::Status upserted =
        UpsertCustomers(options.profile_target, generator.customers(), options.concurrency, options.timeout);
    if (!upserted.ok()) return Fail(kCannotRun, upserted);
    std::fprintf(stderr, "upserted %zu customers at %s\n", generator.customers().size(),
                 options.profile_target.c_str());
  }
  BatchSchedule schedule({.rate = options.rate,
                          .batch = static_cast<uint64_t>(options.batch),
                          .events = options.events,
                          .duration = options.duration},
                         Clock::now());
  LiveCounters live;
  std::unique_ptr<EventIdLog> id_log;
  if (!options.acked_ids.empty() || !options.refused_ids.empty()) {
    auto opened = EventIdLog::Open(options.acked_ids, options.refused_ids);
    if (!opened.ok()) return Fail(kCannotRun, opened.status());
    id_log = std::move(*opened);
    live.id_log = id_log.get();
  }
  LoadContext context{options, generator, schedule, live};
  auto transport = MakeTransport(context);
  if (!transport.ok()) return Fail(kCannotRun, transport.status());
  std::string rate = options.rate > 0 ? absl::StrCat(options.rate, " events/s") : "unlimited";
  std::fprintf(stderr, "sending run %s: mode %s to %s, rate %s, batch %d, concurrency %d\n",
               generator.options().run.c_str(), ModeName(options.mode), Destination(options).c_str(),
               rate.c_str(), options.batch, options.concurrency);
  int workers = options.mode == Mode::kFile ? 1 : options.concurrency;
  RunResult result = RunLoad(context, **transport, workers, stderr);

  std::printf("%s", HumanReport(result.stats, result.summary, (*transport)->measures_latency()).c_str());
  if (options.rate > 0 && result.summary.send_rate < 0.95 * options.rate) {
    std::printf("note: the target rate of %.0f events/s was not reached; raise --concurrency or --batch\n",
                options.rate);
  }
  std::printf("%s\n", SummaryLine(result.stats, result.summary).c_str());
  std::fflush(stdout);
  if (id_log != nullptr) {
    if (absl::Status closed = id_log->Close(); !closed.ok()) return Fail(kCannotRun, closed);
  }
  if (!result.status.ok()) return Fail(kCannotRun, result.status);
  bool complete = result.stats.rejected() == 0 && result.stats.unanswered == 0;
  return complete ? 0 : kIncomplete;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  using namespace custflow::loadgen;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ParseLoadgenOptions(args, [](const char* name) -> const char* { return std::getenv(name); });
  if (!options.ok()) {
    std::fprintf(stderr, "custflow-loadgen: %s (see --help)\n",
                 std::string(options.status().message()).c_str());
    return kUsage;
  }
  if (options->help) {
    std::printf("%s", LoadgenHelp().c_str());
    return 0;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int exit_code = Run(*options);
  curl_global_cleanup();
  return exit_code;
}
