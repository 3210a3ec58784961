// custflow-profile-bench: GetProfile load at a fixed concurrency or a fixed rate, for
// tests/bench/profile_bench.sh. One thread drives gRPC's asynchronous client, so the
// generator costs little of the CPU the service under test needs.
//
//   custflow-profile-bench --target HOST:PORT --ids FILE [--concurrency N] [--requests N]
//                          [--rate R] [--seconds S]
//
// --ids: customer ids, one per line; requests pick them round-robin from a shuffled list.
// Without --rate, keeps --concurrency calls in flight until --requests are answered.
// With --rate, starts calls on a fixed schedule for --seconds (latency counts from the
// scheduled start, so a stall is not hidden). The last line is machine-readable:
//   profile-bench: requests=N errors=N seconds=S rate=R p50_ms=X p99_ms=Y max_ms=Z
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/latency_histogram.h"

namespace custflow::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

struct Call {
  grpc::ClientContext context;
  v1::GetProfileRequest request;
  v1::GetProfileResponse response;
  grpc::Status status;
  Clock::time_point started;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetProfileResponse>> reader;
};

struct Options {
  std::string target = "127.0.0.1:17052";
  std::string ids_file;
  int concurrency = 50;
  uint64_t requests = 200'000;
  double rate = 0;
  double seconds = 10;
};

bool ParseOptions(int argc, char** argv, Options& options) {
  std::map<std::string, std::string> values;
  for (int i = 1; i + 1 < argc; i += 2) values[argv[i]] = argv[i + 1];
  if (argc % 2 == 0) return false;
  for (const auto& [name, value] : values) {
    if (name == "--target") {
      options.target = value;
    } else if (name == "--ids") {
      options.ids_file = value;
    } else if (name == "--concurrency") {
      options.concurrency = std::atoi(value.c_str());
    } else if (name == "--requests") {
      options.requests = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "--rate") {
      options.rate = std::atof(value.c_str());
    } else if (name == "--seconds") {
      options.seconds = std::atof(value.c_str());
    } else {
      return false;
    }
  }
  return !options.ids_file.empty() && options.concurrency > 0 && options.requests > 0;
}

class Bench {
 public:
  Bench(std::shared_ptr<grpc::Channel> channel, std::vector<std::string> ids)
      : stub_(v1::ProfileService::NewStub(channel)), ids_(std::move(ids)) {}

  void Start(Clock::time_point started) {
    auto* call = new Call;
    call->started = started;
    call->request.set_customer_id(ids_[next_id_++ % ids_.size()]);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    tools::AddCredentials(call->context);
    call->reader = stub_->PrepareAsyncGetProfile(&call->context, call->request, &queue_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++in_flight_;
  }

  // Waits for one answer until `deadline`; false when none came.
  bool Complete(Clock::time_point deadline) {
    void* tag = nullptr;
    bool ok = false;
    // gRPC takes system_clock deadlines only.
    auto system_deadline = std::chrono::system_clock::now() + (deadline - Clock::now());
    if (queue_.AsyncNext(&tag, &ok, system_deadline) != grpc::CompletionQueue::GOT_EVENT) return false;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --in_flight_;
    if (!ok || !call->status.ok()) {
      if (errors_++ == 0) std::fprintf(stderr, "first error: %s\n", call->status.error_message().c_str());
    }
    histogram_.Record(Clock::now() - call->started);
    return true;
  }

  int in_flight() const { return in_flight_; }
  uint64_t errors() const { return errors_; }
  const LatencyHistogram& histogram() const { return histogram_; }

 private:
  std::unique_ptr<v1::ProfileService::Stub> stub_;
  std::vector<std::string> ids_;
  grpc::CompletionQueue queue_;
  size_t next_id_ = 0;
  int in_flight_ = 0;
  uint64_t errors_ = 0;
  LatencyHistogram histogram_;
};

int Run(const Options& options) {
  std::vector<std::string> ids;
  std::ifstream file(options.ids_file);
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  if (ids.empty()) {
    std::fprintf(stderr, "profile-bench: no ids in %s\n", options.ids_file.c_str());
    return 2;
  }
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(7));
  Bench bench(grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials()), ids);

  const Clock::time_point start = Clock::now();
  uint64_t started = 0;
  if (options.rate <= 0) {
    while (started < options.requests && bench.in_flight() < options.concurrency) {
      bench.Start(Clock::now());
      ++started;
    }
    while (bench.in_flight() > 0) {
      if (!bench.Complete(Clock::now() + std::chrono::seconds(15))) break;
      if (started < options.requests) {
        bench.Start(Clock::now());
        ++started;
      }
    }
  } else {
    const auto interval = std::chrono::duration<double>(1.0 / options.rate);
    const uint64_t total = static_cast<uint64_t>(options.rate * options.seconds);
    while (started < total) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(started));
      if (Clock::now() >= due) {
        bench.Start(due);
        ++started;
      } else {
        bench.Complete(due);
      }
    }
    while (bench.in_flight() > 0 && bench.Complete(Clock::now() + std::chrono::seconds(15))) {
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const LatencyHistogram& latency = bench.histogram();
  auto ms = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; };
  std::printf(
      "profile-bench: requests=%llu errors=%llu seconds=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
      static_cast<unsigned long long>(latency.count()), static_cast<unsigned long long>(bench.errors()),
      seconds, static_cast<double>(latency.count()) / seconds, ms(latency.Quantile(0.5)),
      ms(latency.Quantile(0.99)), ms(latency.max()));
  return bench.errors() == 0 && latency.count() == started ? 0 : 1;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  // As in the services (core::ServiceHost): no lock-order checks on gRPC's mutexes.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  custflow::loadgen::Options options;
  if (!custflow::loadgen::ParseOptions(argc, argv, options)) {
    std::fprintf(
        stderr,
        "usage: custflow-profile-bench --target HOST:PORT --ids FILE [--concurrency N] [--requests N] "
        "[--rate R] [--seconds S]\n"
        "  sends $CUSTFLOW_TOKEN, when set, as the bearer token of every call\n");
    return 2;
  }
  return custflow::loadgen::Run(options);
}
