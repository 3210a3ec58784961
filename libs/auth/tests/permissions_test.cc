// Which role may call which rpc: every rpc of the four services, read from the generated
// descriptors, against an explicit table, so a new rpc fails here until it has a decision.
#include "custflow/auth/permissions.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "custflow/v1/ingest.pb.h"
#include "custflow/v1/profile.pb.h"
#include "custflow/v1/reporting.pb.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::auth {
namespace {

constexpr Role kRoles[] = {Role::kAdmin, Role::kManager, Role::kSales, Role::kService, Role::kIngest};

// Per rpc, the roles allowed, one column each: admin, manager, sales, service, ingest.
const std::map<std::string, std::string> kExpected = {
    // clang-format off
    //                                                         A M S V I
    {"/custflow.v1.IngestService/Publish",                    "y - - y y"},
    {"/custflow.v1.IngestService/PublishBatch",               "y - - y y"},
    {"/custflow.v1.IngestService/StreamEvents",               "y - - y y"},
    {"/custflow.v1.ProfileService/GetProfile",                "y y y y -"},
    {"/custflow.v1.ProfileService/BatchGetProfiles",          "y y y y -"},
    {"/custflow.v1.ProfileService/SearchCustomers",           "y y y y -"},
    {"/custflow.v1.ProfileService/UpsertCustomer",            "y y y - -"},
    {"/custflow.v1.ProfileService/AddFollowUp",               "y y y - -"},
    {"/custflow.v1.ProfileService/ImportCustomers",           "y y y - -"},
    {"/custflow.v1.ProfileService/FindDuplicates",            "y y y - -"},
    {"/custflow.v1.ProfileService/QualityReport",             "y y y - -"},
    {"/custflow.v1.ProfileService/MergeCustomers",            "y - - - -"},
    {"/custflow.v1.ProfileService/EraseCustomer",             "y - - - -"},
    {"/custflow.v1.TaggingService/ListRules",                 "y y y y -"},
    {"/custflow.v1.TaggingService/ReloadRules",               "y - - - -"},
    {"/custflow.v1.TaggingService/ValidateRules",             "y - - - -"},
    {"/custflow.v1.TaggingService/Explain",                   "y y y y -"},
    {"/custflow.v1.TaggingService/SegmentMembers",            "y y y y -"},
    {"/custflow.v1.TaggingService/TagHistory",                "y y y y -"},
    {"/custflow.v1.TaggingService/Sweep",                     "y - - - -"},
    {"/custflow.v1.ReportingService/Distribution",            "y y y y -"},
    {"/custflow.v1.ReportingService/ListMetrics",             "y y y y -"},
    {"/custflow.v1.ReportingService/QueryMetric",             "y y y y -"},
    {"/custflow.v1.ReportingService/Findings",                "y y y y -"},
    {"/custflow.v1.ReportingService/Describe",                "y y y y -"},
    {"/custflow.v1.ReportingService/Correlate",               "y y y y -"},
    {"/custflow.v1.ReportingService/Pareto",                  "y y y y -"},
    {"/custflow.v1.ReportingService/SatisfactionExtremes",    "y y y y -"},
    {"/custflow.v1.ReportingService/ComplaintAnalysis",       "y y y y -"},
    {"/custflow.v1.ReportingService/Rfm",                     "y y y y -"},
    {"/custflow.v1.ReportingService/Cluster",                 "y y y y -"},
    {"/custflow.v1.ReportingService/ListTemplates",           "y y y y -"},
    {"/custflow.v1.ReportingService/RenderReport",            "y y y y -"},
    {"/custflow.v1.ReportingService/AuditLog",                "y - - - -"},
    // clang-format on
};

Principal PrincipalWith(Role role) {
  return {.name = "p", .role = role, .department = "销售一部", .owner = "李娜", .pii = false};
}

// "/custflow.v1.<Service>/<Method>" of every rpc the four services declare.
std::vector<std::string> EveryRpc() {
  const google::protobuf::FileDescriptor* files[] = {
      v1::PublishRequest::descriptor()->file(), v1::GetProfileRequest::descriptor()->file(),
      v1::ListRulesRequest::descriptor()->file(), v1::DistributionRequest::descriptor()->file()};
  const std::set<std::string> services = {"custflow.v1.IngestService", "custflow.v1.ProfileService",
                                          "custflow.v1.TaggingService", "custflow.v1.ReportingService"};
  std::vector<std::string> rpcs;
  std::set<std::string> seen_services;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      seen_services.insert(service->full_name());
      for (int m = 0; m < service->method_count(); ++m) {
        rpcs.push_back("/" + service->full_name() + "/" + service->method(m)->name());
      }
    }
  }
  EXPECT_EQ(seen_services, services);
  return rpcs;
}

TEST(PermissionsTest, EveryRpcOfEveryServiceHasADecisionForEveryRole) {
  std::vector<std::string> rpcs = EveryRpc();
  ASSERT_GT(rpcs.size(), 20u);
  for (const std::string& rpc : rpcs) {
    auto expected = kExpected.find(rpc);
    ASSERT_NE(expected, kExpected.end())
        << rpc << " is missing from the expected table (and the method table)";
    EXPECT_TRUE(RequiredPermission(rpc).has_value()) << rpc << " has no permission in permissions.cc";
    for (size_t r = 0; r < std::size(kRoles); ++r) {
      bool allowed = expected->second[2 * r] == 'y';
      EXPECT_EQ(Allows(PrincipalWith(kRoles[r]), rpc), allowed) << rpc << " for " << RoleName(kRoles[r]);
    }
  }
  EXPECT_EQ(rpcs.size(), kExpected.size()) << "the expected table lists an rpc the protos no longer declare";
}

TEST(PermissionsTest, UnknownMethodsAreDeniedToEveryone) {
  for (std::string_view method :
       {"/custflow.v1.ProfileService/DropEverything", "/custflow.v1.ProfileService/", "", "GetProfile",
        "/custflow.v1.ProfileService/GetProfile/", "/custflow.v2.ProfileService/GetProfile",
        "/grpc.health.v1.Health/Check"}) {
    EXPECT_FALSE(RequiredPermission(method).has_value()) << method;
    for (Role role : kRoles)
      EXPECT_FALSE(Allows(PrincipalWith(role), method)) << method << " " << RoleName(role);
  }
}

TEST(PermissionsTest, HttpRoutesStandForTheirRpc) {
  EXPECT_EQ(RpcOfHttpRoute("POST", "/v1/events"), "/custflow.v1.IngestService/Publish");
  EXPECT_EQ(RpcOfHttpRoute("POST", "/v1/reports/Distribution"), "/custflow.v1.ReportingService/Distribution");
  EXPECT_EQ(RpcOfHttpRoute("POST", "/v1/reports/Pareto.csv"), "/custflow.v1.ReportingService/Pareto");
  EXPECT_EQ(RpcOfHttpRoute("POST", "/v1/reports/RenderReport.pdf?lang=zh"),
            "/custflow.v1.ReportingService/RenderReport");
  for (auto [method, path] : {std::pair<std::string_view, std::string_view>{"GET", "/v1/events"},
                              {"OPTIONS", "/v1/reports/Distribution"},
                              {"POST", "/v1/reports/"},
                              {"POST", "/v1/reports/Unknown"},
                              {"POST", "/v1/reports/GetProfile"},
                              {"POST", "/v1/events/extra"},
                              {"POST", "/healthz"}}) {
    EXPECT_EQ(RpcOfHttpRoute(method, path), std::nullopt) << method << " " << path;
  }
}

TEST(PermissionsTest, HttpRoutesFollowTheRpcTable) {
  EXPECT_TRUE(AllowsHttpRoute(PrincipalWith(Role::kIngest), "POST", "/v1/events"));
  EXPECT_FALSE(AllowsHttpRoute(PrincipalWith(Role::kIngest), "POST", "/v1/reports/Distribution"));
  EXPECT_FALSE(AllowsHttpRoute(PrincipalWith(Role::kSales), "POST", "/v1/events"));
  EXPECT_TRUE(AllowsHttpRoute(PrincipalWith(Role::kSales), "POST", "/v1/reports/Rfm.xlsx"));
  EXPECT_TRUE(AllowsHttpRoute(PrincipalWith(Role::kService), "POST", "/v1/reports/Findings"));
  EXPECT_FALSE(AllowsHttpRoute(PrincipalWith(Role::kAdmin), "POST", "/v1/reports/Unknown"));
}

}  // namespace
}  // namespace custflow::auth
