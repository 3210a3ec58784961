#include "custflow/auth/permissions.h"

#include <array>
#include <utility>

namespace custflow::auth {
namespace {

struct MethodPermission {
  std::string_view full_method;
  Permission permission;
};

// Every rpc of proto/custflow/v1. A new rpc is denied to everyone but must be added here;
// auth_unit_test fails until it is.
constexpr std::array kMethods = std::to_array<MethodPermission>({
    {"/custflow.v1.IngestService/Publish", Permission::kWriteEvents},
    {"/custflow.v1.IngestService/PublishBatch", Permission::kWriteEvents},
    {"/custflow.v1.IngestService/StreamEvents", Permission::kWriteEvents},

    {"/custflow.v1.ProfileService/GetProfile", Permission::kRead},
    {"/custflow.v1.ProfileService/BatchGetProfiles", Permission::kRead},
    {"/custflow.v1.ProfileService/SearchCustomers", Permission::kRead},
    {"/custflow.v1.ProfileService/UpsertCustomer", Permission::kMasterData},
    {"/custflow.v1.ProfileService/AddFollowUp", Permission::kMasterData},
    {"/custflow.v1.ProfileService/ImportCustomers", Permission::kMasterData},
    {"/custflow.v1.ProfileService/FindDuplicates", Permission::kMasterData},
    {"/custflow.v1.ProfileService/QualityReport", Permission::kMasterData},
    {"/custflow.v1.ProfileService/MergeCustomers", Permission::kAdminister},
    {"/custflow.v1.ProfileService/EraseCustomer", Permission::kAdminister},

    {"/custflow.v1.TaggingService/ListRules", Permission::kRead},
    {"/custflow.v1.TaggingService/Explain", Permission::kRead},
    {"/custflow.v1.TaggingService/SegmentMembers", Permission::kRead},
    {"/custflow.v1.TaggingService/TagHistory", Permission::kRead},
    {"/custflow.v1.TaggingService/ReloadRules", Permission::kAdminister},
    {"/custflow.v1.TaggingService/ValidateRules", Permission::kAdminister},
    {"/custflow.v1.TaggingService/Sweep", Permission::kAdminister},

    {"/custflow.v1.ReportingService/Distribution", Permission::kRead},
    {"/custflow.v1.ReportingService/ListMetrics", Permission::kRead},
    {"/custflow.v1.ReportingService/QueryMetric", Permission::kRead},
    {"/custflow.v1.ReportingService/Findings", Permission::kRead},
    {"/custflow.v1.ReportingService/Describe", Permission::kRead},
    {"/custflow.v1.ReportingService/Correlate", Permission::kRead},
    {"/custflow.v1.ReportingService/Pareto", Permission::kRead},
    {"/custflow.v1.ReportingService/SatisfactionExtremes", Permission::kRead},
    {"/custflow.v1.ReportingService/ComplaintAnalysis", Permission::kRead},
    {"/custflow.v1.ReportingService/Rfm", Permission::kRead},
    {"/custflow.v1.ReportingService/Cluster", Permission::kRead},
    {"/custflow.v1.ReportingService/ListTemplates", Permission::kRead},
    {"/custflow.v1.ReportingService/RenderReport", Permission::kRead},
    {"/custflow.v1.ReportingService/AuditLog", Permission::kAdminister},
});

constexpr std::string_view kIngestPublish = "/custflow.v1.IngestService/Publish";
constexpr std::string_view kReportingPrefix = "/custflow.v1.ReportingService/";
constexpr std::string_view kReportsPath = "/v1/reports/";

}  // namespace

std::optional<Permission> RequiredPermission(std::string_view full_method) {
  for (const MethodPermission& method : kMethods) {
    if (method.full_method == full_method) return method.permission;
  }
  return std::nullopt;
}

bool Grants(Role role, Permission permission) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kManager:
    case Role::kSales:
      return permission == Permission::kRead || permission == Permission::kMasterData;
    case Role::kService:
      return permission == Permission::kRead || permission == Permission::kWriteEvents;
    case Role::kIngest:
      return permission == Permission::kWriteEvents;
  }
  return false;
}

bool Allows(const Principal& principal, std::string_view full_method) {
  std::optional<Permission> permission = RequiredPermission(full_method);
  return permission && Grants(principal.role, *permission);
}

std::optional<std::string_view> RpcOfHttpRoute(std::string_view http_method, std::string_view path) {
  if (http_method != "POST") return std::nullopt;
  path = path.substr(0, path.find('?'));
  if (path == "/v1/events") return kIngestPublish;
  if (!path.starts_with(kReportsPath)) return std::nullopt;
  std::string_view name = path.substr(kReportsPath.size());
  name = name.substr(0, name.find('.'));
  for (const MethodPermission& method : kMethods) {
    std::string_view rpc = method.full_method;
    if (rpc.starts_with(kReportingPrefix) && rpc.substr(kReportingPrefix.size()) == name) return rpc;
  }
  return std::nullopt;
}

bool AllowsHttpRoute(const Principal& principal, std::string_view http_method, std::string_view path) {
  std::optional<std::string_view> rpc = RpcOfHttpRoute(http_method, path);
  return rpc && Allows(principal, *rpc);
}

}  // namespace custflow::auth
