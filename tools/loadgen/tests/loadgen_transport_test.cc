// custflow-loadgen against in-process fake servers that misbehave the ways real ones may:
// results late, reversed and regrouped across stream messages; no StreamEvents at all;
// no answer ever; a missing HTTP endpoint; nothing listening. The loadgen must count
// every event once, say clearly what went wrong, and always stop by itself.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "custflow/core/http_server.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "tests/support/local_process.h"
#include "tools/loadgen/tests/loadgen_runner.h"

namespace custflow::loadgen {
namespace {

using std::chrono::seconds;

// The fakes' verdicts: event ids ending in 7 are invalid, ids ending in 5 duplicates.
v1::EventResult Verdict(const std::string& event_id) {
  v1::EventResult result;
  result.set_event_id(event_id);
  if (event_id.ends_with('7')) {
    result.set_code(grpc::StatusCode::INVALID_ARGUMENT);
    result.set_message("test rejection of " + event_id);
    v1::FieldViolation& violation = *result.add_violations();
    violation.set_field("events[0].type");
    violation.set_description("is made up by the test");
  } else {
    result.set_duplicate(event_id.ends_with('5'));
  }
  return result;
}

// What a fake saw.
class Received {
 public:
  void Add(const std::string& event_id) {
    std::lock_guard lock(mutex_);
    ++events_;
    ids_.insert(event_id);
    if (!first_at_) first_at_ = std::chrono::steady_clock::now();
  }
  size_t events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  size_t distinct() const {
    std::lock_guard lock(mutex_);
    return ids_.size();
  }
  std::optional<std::chrono::steady_clock::time_point> first_at() const {
    std::lock_guard lock(mutex_);
    return first_at_;
  }

 private:
  mutable std::mutex mutex_;
  size_t events_ = 0;
  std::set<std::string> ids_;
  std::optional<std::chrono::steady_clock::time_point> first_at_;
};

// Answers the events of each stream request only after the next request arrived (or the
// client finished writing), in reverse order, in messages of 7 results; PublishBatch
// answers in reverse order.
class ScramblingIngest final : public v1::IngestService::Service {
 public:
  grpc::Status StreamEvents(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>* stream) override {
    std::vector<v1::EventResult> held;
    v1::StreamEventsRequest request;
    while (stream->Read(&request)) {
      std::vector<v1::EventResult> fresh;
      for (const v1::Interaction& event : request.events()) {
        received.Add(event.event_id());
        fresh.push_back(Verdict(event.event_id()));
      }
      Answer(*stream, held);
      held = std::move(fresh);
    }
    Answer(*stream, held);
    return grpc::Status::OK;
  }

  grpc::Status PublishBatch(grpc::ServerContext*, const v1::PublishBatchRequest* request,
                            v1::PublishBatchResponse* response) override {
    for (auto event = request->events().rbegin(); event != request->events().rend(); ++event) {
      received.Add(event->event_id());
      *response->add_results() = Verdict(event->event_id());
    }
    return grpc::Status::OK;
  }

  Received received;

 private:
  static void Answer(grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>& stream,
                     std::vector<v1::EventResult>& results) {
    std::reverse(results.begin(), results.end());
    for (size_t first = 0; first < results.size(); first += 7) {
      v1::StreamEventsResponse response;
      for (size_t i = first; i < std::min(results.size(), first + 7); ++i)
        *response.add_results() = results[i];
      stream.Write(response);
    }
    results.clear();
  }
};

// Takes every event, never answers, and keeps the stream open until the client cancels.
class SilentIngest final : public v1::IngestService::Service {
 public:
  grpc::Status StreamEvents(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>* stream) override {
    v1::StreamEventsRequest request;
    while (stream->Read(&request)) {
    }
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return grpc::Status::CANCELLED;
  }
};

class RecordingProfiles final : public v1::ProfileService::Service {
 public:
  grpc::Status UpsertCustomer(grpc::ServerContext*, const v1::UpsertCustomerRequest* request,
                              v1::UpsertCustomerResponse* response) override {
    std::lock_guard lock(mutex_);
    ids_.insert(request->customer().customer_id());
    last_at_ = std::chrono::steady_clock::now();
    response->set_command_id("cmd-" + request->customer().customer_id());
    return grpc::Status::OK;
  }
  std::set<std::string> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  std::chrono::steady_clock::time_point last_at() const {
    std::lock_guard lock(mutex_);
    return last_at_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> ids_;
  std::chrono::steady_clock::time_point last_at_;
};

struct GrpcServer {
  std::unique_ptr<grpc::Server> server;
  std::string address;
};

GrpcServer StartGrpc(std::vector<grpc::Service*> services) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  GrpcServer started{builder.BuildAndStart(), ""};
  started.address = "127.0.0.1:" + std::to_string(port);
  return started;
}

// What every run here sends: 2,000 events (ids tt-e0 ... tt-e1999) as fast as possible,
// so 200 end in 7 (rejected) and 200 in 5 (duplicates).
std::vector<std::string> Args(const std::string& mode, const std::string& destination,
                              std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--mode",    mode,   "--run",           "tt", "--customers", "30",
                                   "--events",  "2000", "--rate",          "0",  "--batch",     "50",
                                   "--timeout", "5",    "--drain-timeout", "5"};
  args.insert(args.end(), {mode == "http" ? "--url" : "--target", destination});
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

void ExpectScrambledCounts(const LoadgenRun& run) {
  EXPECT_EQ(run.exit_code, 1) << run.output;  // some events were rejected
  EXPECT_EQ(run.Number("sent"), 2000) << run.output;
  EXPECT_EQ(run.Number("acked"), 1800) << run.output;
  EXPECT_EQ(run.Number("rejected"), 200) << run.output;
  EXPECT_EQ(run.Number("duplicates"), 200) << run.output;
  EXPECT_EQ(run.Number("unanswered"), 0) << run.output;
  EXPECT_NE(run.output.find("INVALID_ARGUMENT"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("events[0].type: is made up by the test"), std::string::npos) << run.output;
}

TEST(LoadgenTransport, StreamModeMatchesResultsThatArriveLateReversedAndRegrouped) {
  ScramblingIngest ingest;
  GrpcServer server = StartGrpc({&ingest});
  LoadgenRun run = RunLoadgen(Args("stream", server.address, {"--concurrency", "2"}));
  ExpectScrambledCounts(run);
  EXPECT_EQ(ingest.received.events(), 2000u);
  EXPECT_EQ(ingest.received.distinct(), 2000u);
}

TEST(LoadgenTransport, StreamModeHoldsThePacedRate) {
  ScramblingIngest ingest;
  GrpcServer server = StartGrpc({&ingest});
  LoadgenRun run = RunLoadgen({"--mode", "stream", "--target", server.address, "--rate", "2000", "--duration",
                               "2", "--batch", "20", "--customers", "30"});
  EXPECT_EQ(run.Number("sent"), 4000) << run.output;
  EXPECT_NEAR(run.Number("send_rate"), 2000, 100) << run.output;
  EXPECT_NEAR(run.Number("rate"), 2000 * 0.9, 150) << run.output;  // a tenth is rejected
  EXPECT_GT(run.Number("p99_ms"), 0) << run.output;
  EXPECT_LT(run.elapsed, seconds(10));
}

TEST(LoadgenTransport, StreamModeSaysClearlyWhenTheServerLacksStreamEvents) {
  v1::IngestService::Service unimplemented;
  GrpcServer server = StartGrpc({&unimplemented});
  LoadgenRun run = RunLoadgen(Args("stream", server.address, {"--concurrency", "2"}));
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("does not implement IngestService.StreamEvents"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("use --mode batch"), std::string::npos) << run.output;
  EXPECT_EQ(run.Number("acked"), 0) << run.output;
  EXPECT_LT(run.elapsed, seconds(10));
}

TEST(LoadgenTransport, StreamModeStopsWaitingForResultsAfterTheDrainTimeout) {
  SilentIngest ingest;
  GrpcServer server = StartGrpc({&ingest});
  LoadgenRun run = RunLoadgen({"--mode", "stream", "--target", server.address, "--events", "300", "--rate",
                               "0", "--batch", "100", "--drain-timeout", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.Number("sent"), 300) << run.output;
  EXPECT_EQ(run.Number("unanswered"), 300) << run.output;
  EXPECT_GT(run.elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(run.elapsed, seconds(10));
}

TEST(LoadgenTransport, StreamModeGivesUpOnAServerThatStopsAnswering) {
  SilentIngest ingest;
  GrpcServer server = StartGrpc({&ingest});
  // Two batches fill the window; then nothing comes back for --timeout, stream after stream.
  LoadgenRun run = RunLoadgen({"--mode", "stream", "--target", server.address, "--events", "100000", "--rate",
                               "0", "--batch", "100", "--max-in-flight", "200", "--timeout", "1"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("no result on 5 streams in a row"), std::string::npos) << run.output;
  EXPECT_EQ(run.Number("sent"), 5 * 200) << run.output;
  EXPECT_EQ(run.Number("unanswered"), 5 * 200) << run.output;
  EXPECT_LT(run.elapsed, seconds(20));
}

TEST(LoadgenTransport, StreamModeGivesUpWhenNothingListens) {
  std::string nowhere = "127.0.0.1:" + std::to_string(custflow::testing::FreeLoopbackPort());
  LoadgenRun run = RunLoadgen({"--mode", "stream", "--target", nowhere, "--duration", "60", "--rate", "100"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("UNAVAILABLE"), std::string::npos) << run.output;
  EXPECT_LT(run.elapsed, seconds(20));
}

TEST(LoadgenTransport, BatchModeMatchesEachResultByEventId) {
  ScramblingIngest ingest;
  GrpcServer server = StartGrpc({&ingest});
  LoadgenRun run = RunLoadgen(Args("batch", server.address, {"--concurrency", "3"}));
  ExpectScrambledCounts(run);
  EXPECT_EQ(ingest.received.distinct(), 2000u);
}

TEST(LoadgenTransport, BatchModeCountsEveryEventAsUnavailableWhenNothingListens) {
  std::string nowhere = "127.0.0.1:" + std::to_string(custflow::testing::FreeLoopbackPort());
  LoadgenRun run = RunLoadgen(Args("batch", nowhere));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.Number("rejected"), 2000) << run.output;
  EXPECT_NE(run.output.find("UNAVAILABLE"), std::string::npos) << run.output;
}

TEST(LoadgenTransport, UpsertCustomersReachesTheProfileServiceBeforeAnyEvent) {
  ScramblingIngest ingest;
  RecordingProfiles profiles;
  GrpcServer ingest_server = StartGrpc({&ingest});
  GrpcServer profile_server = StartGrpc({&profiles});
  LoadgenRun run = RunLoadgen({"--mode", "batch", "--target", ingest_server.address, "--upsert-customers",
                               "--profile-target", profile_server.address, "--run", "up", "--customers", "25",
                               "--events", "100", "--rate", "0", "--concurrency", "3"});
  EXPECT_EQ(run.Number("sent"), 100) << run.output;
  std::set<std::string> ids = profiles.ids();
  ASSERT_EQ(ids.size(), 25u) << run.output;
  EXPECT_TRUE(ids.contains("up-c0"));
  EXPECT_TRUE(ids.contains("up-c24"));
  ASSERT_TRUE(ingest.received.first_at().has_value());
  EXPECT_LT(profiles.last_at(), *ingest.received.first_at());
}

// The HTTP ingest fake, in the answer format of services/ingest/http_ingest.h: a JSON
// array of events in; "results" by event (here reversed), "errors" with the violations,
// and 400 when some event is invalid.
core::HttpResponse AnswerEvents(const core::HttpRequest& request, Received& received) {
  core::HttpResponse response;
  response.content_type = "application/json";
  if (request.path != "/v1/events" || request.method != "POST") {
    response.status = 404;
    response.body = R"({"error":"no such endpoint"})";
    return response;
  }
  nlohmann::json events = nlohmann::json::parse(request.body, nullptr, false);
  if (request.Header("content-type") != "application/json" || !events.is_array()) {
    response.status = 400;
    response.body = R"({"errors":[{"field":"body","description":"expected a JSON array of events"}]})";
    return response;
  }
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json errors = nlohmann::json::array();
  for (auto event = events.rbegin(); event != events.rend(); ++event) {
    std::string id = event->value("eventId", "");
    received.Add(id);
    v1::EventResult verdict = Verdict(id);
    if (verdict.code() == 0) {
      results.push_back({{"event_id", id}, {"stored", true}, {"duplicate", verdict.duplicate()}});
      continue;
    }
    results.push_back(
        {{"event_id", id}, {"stored", false}, {"code", "INVALID_ARGUMENT"}, {"message", verdict.message()}});
    errors.push_back({{"event_id", id},
                      {"field", verdict.violations(0).field()},
                      {"description", verdict.violations(0).description()}});
  }
  response.status = errors.empty() ? 200 : 400;
  response.body = nlohmann::json{{"results", results}, {"errors", errors}}.dump();
  return response;
}

TEST(LoadgenTransport, HttpModePostsJsonArraysAndCountsEachResult) {
  Received received;
  auto server = core::HttpServer::Start(
      {.address = "127.0.0.1", .port = 0, .threads = 2},
      core::HttpHandler([&](const core::HttpRequest& r) { return AnswerEvents(r, received); }));
  ASSERT_TRUE(server.ok()) << server.status();
  std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/v1/events";
  LoadgenRun run = RunLoadgen(Args("http", url, {"--concurrency", "2"}));
  ExpectScrambledCounts(run);
  EXPECT_EQ(received.distinct(), 2000u);
}

TEST(LoadgenTransport, HttpModeSaysClearlyWhenTheEndpointIsMissing) {
  Received received;
  auto server = core::HttpServer::Start(
      {.address = "127.0.0.1", .port = 0, .threads = 1},
      core::HttpHandler([&](const core::HttpRequest& r) { return AnswerEvents(r, received); }));
  ASSERT_TRUE(server.ok()) << server.status();
  std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/v1/nowhere";
  LoadgenRun run = RunLoadgen(Args("http", url));
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("has no POST " + url + " (HTTP 404: no such endpoint)"), std::string::npos)
      << run.output;
  EXPECT_LT(run.elapsed, seconds(10));
}

}  // namespace
}  // namespace custflow::loadgen
