// Who may call ReportingService: every rpc over gRPC, and every /v1/reports route over HTTP
// as main.cc serves them (behind runtime::RequireAuthentication), refuses a caller without
// a valid token and a role the permission table (permissions.h) does not allow, before any
// SQL is sent; an administrator gets through to ClickHouse (here one that fails when
// reached, so an allowed call fails with a code that is not about authentication).
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/core/http_server.h"
#include "custflow/runtime/auth_setup.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/http_reports.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/tests/unreachable_clickhouse.h"
#include "tests/http_client.h"
#include "tests/support/every_rpc.h"
#include "tests/support/test_callers.h"

namespace custflow::reporting {
namespace {

using core::testing::Reply;
using core::testing::Send;
using ::testing::StartsWith;

constexpr std::string_view kService = "custflow.v1.ReportingService";

using custflow::testing::Bearer;
using custflow::testing::TestCaller;

const TestCaller& kAdmin = custflow::testing::CallerOf(auth::Role::kAdmin);
const TestCaller& kIngest = custflow::testing::CallerOf(auth::Role::kIngest);

std::vector<std::string> RpcNames() {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(kService));
  std::vector<std::string> names;
  if (service == nullptr) return names;
  for (int i = 0; i < service->method_count(); ++i) names.push_back(service->method(i)->name());
  return names;
}

bool IsAuthCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
}

// The service on a real gRPC port and its HTTP routes on a real HTTP port, both checking
// callers against the test token file.
class ReportingAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    served_ = custflow::testing::ServeOnLoopback({&service_});
    reports_ = std::make_unique<HttpReports>(service_.reports(), HttpReportsOptions{});
    auto http_server =
        core::HttpServer::Start({.address = "127.0.0.1", .port = 0},
                                runtime::RequireAuthentication(authenticator_, reports_->Handler()));
    ASSERT_TRUE(http_server.ok()) << http_server.status();
    http_server_ = std::move(*http_server);
  }

  void TearDown() override {
    if (http_server_) http_server_->Stop();
    if (served_.server) served_.server->Shutdown();
  }

  std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& authorization) const {
    return custflow::testing::CallEveryRpc(served_.target, std::string(kService), authorization);
  }

  // POST /v1/reports/<route> with an empty request, and `authorization` unless empty.
  Reply Post(const std::string& route, const std::string& authorization) const {
    std::vector<std::string> headers = {"Content-Type: application/json"};
    if (!authorization.empty()) headers.push_back("Authorization: " + authorization);
    return Send("POST", "http://127.0.0.1:" + std::to_string(http_server_->port()) + "/v1/reports/" + route,
                "{}", headers);
  }

  UnreachableClickHouse clickhouse_;
  const auth::RequestAuthenticator authenticator_ = custflow::testing::TestAuthenticator();
  ReportingService service_{clickhouse_, authenticator_};
  custflow::testing::LoopbackServer served_;
  std::unique_ptr<HttpReports> reports_;
  std::unique_ptr<core::HttpServer> http_server_;
};

TEST_F(ReportingAuthTest, EveryRpcWithoutATokenIsUnauthenticatedBeforeAnySql) {
  const std::vector<std::string> rpcs = RpcNames();
  ASSERT_EQ(rpcs.size(), 14u);
  std::map<std::string, grpc::StatusCode> codes = CallEveryRpc("");

  ASSERT_EQ(codes.size(), rpcs.size());
  for (const std::string& rpc : rpcs) EXPECT_EQ(codes[rpc], grpc::StatusCode::UNAUTHENTICATED) << rpc;
  EXPECT_FALSE(clickhouse_.reached);
}

TEST_F(ReportingAuthTest, EveryRpcWithAWrongTokenIsUnauthenticated) {
  EXPECT_EQ(custflow::testing::ExpectEveryRpcRefusesCallersWithoutAValidToken(served_.target,
                                                                              std::string(kService)),
            RpcNames().size());
  // A token without its scheme is no credential either.
  for (const auto& [rpc, code] : CallEveryRpc(kAdmin.token)) {
    EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED) << rpc;
  }
  EXPECT_FALSE(clickhouse_.reached);
}

TEST_F(ReportingAuthTest, EachRoleGetsExactlyTheRpcsThePermissionTableAllows) {
  for (const TestCaller& caller : custflow::testing::CallersOfEveryRole()) {
    EXPECT_EQ(custflow::testing::ExpectAnswersFollowThePermissionTable(served_.target, std::string(kService),
                                                                       caller)
                  .size(),
              RpcNames().size());
  }
}

TEST_F(ReportingAuthTest, TheIngestRoleReadsNoReportAndReachesNoClickHouse) {
  std::map<std::string, grpc::StatusCode> codes = CallEveryRpc(Bearer(kIngest));

  ASSERT_EQ(codes.size(), RpcNames().size());
  for (const auto& [rpc, code] : codes) EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << rpc;
  EXPECT_FALSE(clickhouse_.reached);
}

TEST_F(ReportingAuthTest, TheAdministratorIsNeverRefused) {
  std::map<std::string, grpc::StatusCode> codes = CallEveryRpc(Bearer(kAdmin));

  ASSERT_EQ(codes.size(), RpcNames().size());
  for (const auto& [rpc, code] : codes) EXPECT_FALSE(IsAuthCode(code)) << rpc << ": " << code;
}

TEST_F(ReportingAuthTest, HttpRoutesAnswer401WithoutAToken) {
  std::vector<std::string> routes = HttpReports::JsonMethods();
  for (const auto& [method, extensions] : HttpReports::Downloads()) {
    for (const std::string& extension : extensions) routes.push_back(method + "." + extension);
  }
  for (const std::string& route : routes) {
    for (const char* authorization : {"", "Bearer not-a-token"}) {
      Reply reply = Post(route, authorization);

      EXPECT_EQ(reply.status, 401) << route << " " << authorization;
      EXPECT_THAT(reply.Header("www-authenticate"), StartsWith("Bearer")) << route;
    }
  }
  EXPECT_FALSE(clickhouse_.reached);
}

TEST_F(ReportingAuthTest, HttpRoutesAnswerEachRoleAsThePermissionTableSays) {
  for (const TestCaller& caller : custflow::testing::CallersOfEveryRole()) {
    const std::string role(auth::RoleName(caller.principal.role));
    for (const std::string& method : HttpReports::JsonMethods()) {
      Reply reply = Post(method, Bearer(caller));

      if (auth::AllowsHttpRoute(caller.principal, "POST", "/v1/reports/" + method)) {
        EXPECT_NE(reply.status, 401) << role << " " << method;
        EXPECT_NE(reply.status, 403) << role << " " << method << ": " << reply.body;
      } else {
        EXPECT_EQ(reply.status, 403) << role << " " << method;
      }
    }
  }
}

TEST_F(ReportingAuthTest, TheIngestRoleIsForbiddenEveryHttpRoute) {
  for (const std::string& method : HttpReports::JsonMethods()) {
    EXPECT_EQ(Post(method, Bearer(kIngest)).status, 403) << method;
  }
  EXPECT_EQ(Post("Distribution.csv", Bearer(kIngest)).status, 403);
  EXPECT_FALSE(clickhouse_.reached);
}

TEST_F(ReportingAuthTest, TheAdministratorGetsAnAnswerOverHttp) {
  Reply reply = Post("ListMetrics", Bearer(kAdmin));

  EXPECT_EQ(reply.status, 200) << reply.body;
}

}  // namespace
}  // namespace custflow::reporting
