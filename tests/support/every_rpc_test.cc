// CallEveryRpc against in-process services that answer by the authorization metadata:
// every rpc is reached, of each kind (unary, client, server and bidirectional streaming),
// with the metadata given, and its status comes back.
#include "tests/support/every_rpc.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "custflow/v1/ingest.grpc.pb.h"
#include "custflow/v1/tagging.grpc.pb.h"

namespace custflow::testing {
namespace {

// The status a fake rpc answers: OK only for the one accepted token.
grpc::Status StatusFor(const grpc::ServerContext* context) {
  auto found = context->client_metadata().find("authorization");
  if (found == context->client_metadata().end()) return {grpc::StatusCode::UNAUTHENTICATED, "no token"};
  if (found->second != "Bearer good") return {grpc::StatusCode::PERMISSION_DENIED, "not this one"};
  return grpc::Status::OK;
}

class FakeIngest final : public v1::IngestService::Service {
  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest*,
                       v1::PublishResponse*) override {
    return StatusFor(context);
  }
  grpc::Status StreamEvents(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>* stream) override {
    v1::StreamEventsRequest request;
    while (stream->Read(&request)) {
    }
    return StatusFor(context);
  }
  // PublishBatch stays unimplemented: its status comes back all the same.
};

class FakeTagging final : public v1::TaggingService::Service {
  grpc::Status Sweep(grpc::ServerContext* context, const v1::SweepRequest*,
                     grpc::ServerWriter<v1::SweepProgress>* writer) override {
    writer->Write(v1::SweepProgress());
    writer->Write(v1::SweepProgress());
    return StatusFor(context);
  }
};

class EveryRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&ingest_);
    builder.RegisterService(&tagging_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    target_ = "127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  FakeIngest ingest_;
  FakeTagging tagging_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

TEST_F(EveryRpcTest, CallsEveryKindOfRpcWithTheGivenToken) {
  using Codes = std::map<std::string, grpc::StatusCode>;
  EXPECT_EQ(CallEveryRpc(target_, "custflow.v1.IngestService", ""),
            (Codes{{"Publish", grpc::StatusCode::UNAUTHENTICATED},
                   {"PublishBatch", grpc::StatusCode::UNIMPLEMENTED},
                   {"StreamEvents", grpc::StatusCode::UNAUTHENTICATED}}));
  EXPECT_EQ(CallEveryRpc(target_, "custflow.v1.IngestService", "Bearer bad"),
            (Codes{{"Publish", grpc::StatusCode::PERMISSION_DENIED},
                   {"PublishBatch", grpc::StatusCode::UNIMPLEMENTED},
                   {"StreamEvents", grpc::StatusCode::PERMISSION_DENIED}}));
  EXPECT_EQ(CallEveryRpc(target_, "custflow.v1.IngestService", "Bearer good"),
            (Codes{{"Publish", grpc::StatusCode::OK},
                   {"PublishBatch", grpc::StatusCode::UNIMPLEMENTED},
                   {"StreamEvents", grpc::StatusCode::OK}}));

  Codes tagging = CallEveryRpc(target_, "custflow.v1.TaggingService", "Bearer good");
  const google::protobuf::ServiceDescriptor* tagging_service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("custflow.v1.TaggingService");
  ASSERT_NE(tagging_service, nullptr);
  EXPECT_EQ(tagging.size(), static_cast<size_t>(tagging_service->method_count()));
  EXPECT_EQ(tagging["Sweep"], grpc::StatusCode::OK);  // a server stream read to its end
  EXPECT_EQ(CallEveryRpc(target_, "custflow.v1.TaggingService", "")["Sweep"],
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(EveryRpcTest, AnUnknownServiceHasNoRpcs) {
  EXPECT_TRUE(CallEveryRpc(target_, "custflow.v1.NoSuchService", "").empty());
}

}  // namespace
}  // namespace custflow::testing
