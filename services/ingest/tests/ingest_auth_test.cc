// Every IngestService rpc on a real gRPC server refuses callers without a valid token
// (UNAUTHENTICATED) and callers whose role may not publish (PERMISSION_DENIED) before a
// single event reaches the pipeline; permitted callers get through. The expectations come
// from auth::Allows, so the role table stays in one place.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "services/ingest/ingest_service.h"
#include "tests/support/every_rpc.h"

namespace custflow::ingest {
namespace {

constexpr const char* kService = "custflow.v1.IngestService";

// Stores every event at once and counts them, so a refused call can be shown never to
// have reached the pipeline.
class CountingSubmitter final : public EventSubmitter {
 public:
  void Submit(std::vector<v1::Interaction> events, bool, Done done) override {
    submitted_ += events.size();
    std::vector<v1::EventResult> results(events.size());
    for (size_t i = 0; i < events.size(); ++i) results[i].set_event_id(events[i].event_id());
    std::move(done)(std::move(results));
  }

  size_t submitted() const { return submitted_; }

 private:
  std::atomic<size_t> submitted_ = 0;
};

struct Caller {
  std::string token;
  auth::Principal principal;
  std::string yaml;  // its entry in the token file, without the digest
};

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> callers = {
      {"admin-token", {.name = "root", .role = auth::Role::kAdmin}, "name: root\n    role: admin"},
      {"sales-token",
       {.name = "li.na", .role = auth::Role::kSales, .department = "east", .owner = "li.na"},
       "name: li.na\n    role: sales\n    department: east\n    owner: li.na"},
      {"ingest-token", {.name = "pos", .role = auth::Role::kIngest}, "name: pos\n    role: ingest"},
  };
  return callers;
}

std::string TokenFile() {
  std::string text = "principals:\n";
  for (const Caller& caller : Callers()) {
    absl::StrAppend(&text, "  - ", caller.yaml,
                    "\n    token_sha256: ", auth::DigestToHex(auth::DigestToken(caller.token)), "\n");
  }
  return text;
}

class IngestAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(TokenFile(), "test-tokens.yaml");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    auth_.emplace(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
    service_.emplace(submitter_, *auth_, IngestServiceOptions{});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&*service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    target_ = absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& authorization) {
    std::map<std::string, grpc::StatusCode> answers =
        custflow::testing::CallEveryRpc(target_, kService, authorization);
    EXPECT_EQ(answers.size(), 3u) << "Publish, PublishBatch and StreamEvents";
    return answers;
  }

  CountingSubmitter submitter_;
  std::optional<auth::RequestAuthenticator> auth_;
  std::optional<IngestService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

TEST_F(IngestAuthTest, EveryRpcRefusesCallersWithoutAValidToken) {
  for (const std::string authorization : {"", "Bearer not-a-known-token", "Basic YWRtaW46YWRtaW4="}) {
    for (const auto& [method, code] : CallEveryRpc(authorization)) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED) << method << " with '" << authorization << "'";
    }
  }
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(IngestAuthTest, EveryRpcServesExactlyTheRolesAllowedToCallIt) {
  for (const Caller& caller : Callers()) {
    for (const auto& [method, code] : CallEveryRpc("Bearer " + caller.token)) {
      std::string full_method = absl::StrCat("/", kService, "/", method);
      SCOPED_TRACE(full_method + " as " + caller.principal.name);
      EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED);
      if (auth::Allows(caller.principal, full_method)) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED);
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);
      }
    }
  }
}

TEST_F(IngestAuthTest, RefusedCallsNeverReachThePipeline) {
  const Caller& sales = Callers()[1];
  ASSERT_FALSE(auth::Allows(sales.principal, "/custflow.v1.IngestService/Publish"));
  CallEveryRpc("Bearer " + sales.token);
  EXPECT_EQ(submitter_.submitted(), 0u);
  CallEveryRpc("Bearer " + Callers()[2].token);
  EXPECT_GT(submitter_.submitted(), 0u) << "Publish with an empty event still reaches the pipeline";
}

}  // namespace
}  // namespace custflow::ingest
