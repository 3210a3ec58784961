#include "custflow/core/service_host.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "tests/http_client.h"

namespace custflow::core {
namespace {

using testing::Fetch;

Config LoopbackConfig() {
  return Config("test", [](const char* name) -> const char* {
    std::string_view n(name);
    if (n == "CUSTFLOW_TEST_GRPC_ADDRESS" || n == "CUSTFLOW_TEST_HTTP_ADDRESS") return "127.0.0.1:0";
    return nullptr;
  });
}

TEST(ServiceHost, ServesAdminPortAndGrpcThenDrains) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  ASSERT_TRUE(config.status().ok());
  v1::TaggingService::Service unimplemented;  // any service: gRPC needs one to serve health checks
  host.AddGrpcService(&unimplemented);
  host.health().AddReadinessCheck("always", [] { return absl::OkStatus(); });
  absl::Status started = host.Start();
  ASSERT_TRUE(started.ok()) << started;
  std::string base = absl::StrCat("http://127.0.0.1:", host.http_port());
  EXPECT_EQ(Fetch(base + "/readyz").status, 200);

  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.grpc_port()), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5)));

  host.Drain();
  EXPECT_TRUE(host.health().draining());
  EXPECT_EQ(Fetch(base + "/healthz").status, 0) << "the admin port is closed after draining";
}

TEST(ServiceHost, DeclaresTheSharedSettings) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  std::string help = config.HelpText();
  for (const char* name : {"LOG_LEVEL", "GRPC_ADDRESS", "HTTP_ADDRESS", "DRAIN_TIMEOUT"}) {
    EXPECT_NE(help.find(absl::StrCat("CUSTFLOW_TEST_", name)), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace custflow::core
