// ProfileService::FindDuplicates and QualityReport: one pass over the live customers of the
// caller's row scope in Redis (ProfileStore::ForEachProfileWithTerm on the scope's search
// term, "all" for everything), filtered by the request, into the pure duplicate detection
// and quality report of custflow_domain. Only what those read is kept in memory.
#include <functional>
#include <optional>
#include <string>

#include "custflow/core/grpc_status.h"
#include "custflow/domain/duplicates.h"
#include "custflow/domain/quality_report.h"
#include "services/profile/profile_service.h"

namespace custflow::profile {
namespace {

bool Matches(const v1::Customer& customer, const std::string& owner, const std::string& department) {
  return (owner.empty() || customer.owner() == owner) &&
         (department.empty() || customer.department() == department);
}

// Calls `visit` with every live customer in `scope`, walking the scope's index set rather
// than every customer; none for a scope of nothing.
absl::Status ForEachInScope(ProfileStore& store, const auth::RowScope& scope,
                            const std::function<void(const v1::Profile&)>& visit) {
  std::optional<std::string> term = ScopeSearchTerm(scope);
  if (!term) return absl::OkStatus();
  return store.ForEachProfileWithTerm(*term, [&](const v1::Profile& profile) {
    if (InScope(scope, profile)) visit(profile);
    return absl::OkStatus();
  });
}

}  // namespace

grpc::Status ProfileService::FindDuplicates(grpc::ServerContext* context,
                                            const v1::FindDuplicatesRequest* request,
                                            v1::FindDuplicatesResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "FindDuplicates");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const auth::RowScope scope = auth::RowScope::Of(*caller);
  if (!v1::DuplicateRule_IsValid(request->rule())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "rule: is not a known duplicate rule: " + std::to_string(request->rule()));
  }
  std::vector<v1::Customer> customers;
  absl::Status visited = ForEachInScope(store_, scope, [&](const v1::Profile& profile) {
    const v1::Customer& customer = profile.customer();
    if (!profile.merged_into().empty() || !Matches(customer, request->owner(), "")) return;
    v1::Customer& compared = customers.emplace_back();
    compared.set_customer_id(customer.customer_id());
    compared.set_name(customer.name());
    compared.set_contact_phone(customer.contact_phone());
  });
  if (!visited.ok()) return core::ToGrpcStatus(visited);
  for (v1::DuplicateGroup& group :
       domain::FindDuplicateGroups(customers, request->rule(), options_.default_region)) {
    if (!caller->pii) domain::MaskPii(group);
    *response->add_groups() = std::move(group);
  }
  response->set_customers_examined(customers.size());
  return grpc::Status::OK;
}

grpc::Status ProfileService::QualityReport(grpc::ServerContext* context,
                                           const v1::QualityReportRequest* request,
                                           v1::QualityReportResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "QualityReport");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const auth::RowScope scope = auth::RowScope::Of(*caller);
  domain::QualityReportBuilder builder(options_.default_region);
  absl::Status visited = ForEachInScope(store_, scope, [&](const v1::Profile& profile) {
    if (Matches(profile.customer(), request->owner(), request->department())) builder.Add(profile);
  });
  if (!visited.ok()) return core::ToGrpcStatus(visited);
  *response = builder.Build();
  return grpc::Status::OK;
}

}  // namespace custflow::profile
