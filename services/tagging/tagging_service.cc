// TaggingService handlers: each authorizes its caller, then reads or changes the rules and
// profiles. The reads of customers (Explain, SegmentMembers, TagHistory) keep to the
// caller's row scope; an out-of-scope customer is answered as a missing one.
#include "services/tagging/tagging_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "custflow/core/grpc_status.h"
#include "services/profile/row_scope.h"
#include "services/tagging/segment_members.h"
#include "services/tagging/tag_history.h"

namespace custflow::tagging {
namespace {

// The very answer for a customer out of the caller's scope and a missing one, so that a
// scoped caller cannot tell whether an id exists (docs/SECURITY.md, "Row scopes").
grpc::Status NoCustomer(const std::string& customer_id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no customer " + customer_id);
}

}  // namespace

TaggingService::TaggingService(RuleBook& rules, Tagger& tagger, profile::ProfileStore& store,
                               clickhouse::ClickHouseClient* history, const auth::RequestAuthenticator& auth,
                               std::function<void()> on_rules_changed)
    : rules_(rules),
      tagger_(tagger),
      store_(store),
      history_(history),
      auth_(auth),
      on_rules_changed_(std::move(on_rules_changed)) {}

grpc::Status TaggingService::ListRules(grpc::ServerContext* context, const v1::ListRulesRequest*,
                                       v1::ListRulesResponse* response) {
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, "/custflow.v1.TaggingService/ListRules");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  rules_.Current()->Describe(*response);
  response->set_source(rules_.source().empty() ? "built-in" : rules_.source());
  *response->mutable_loaded_at() = rules_.loaded_at();
  return grpc::Status::OK;
}

grpc::Status TaggingService::ReloadRules(grpc::ServerContext* context, const v1::ReloadRulesRequest*,
                                         v1::ReloadRulesResponse* response) {
  absl::StatusOr<auth::Principal> caller =
      auth_.Authorize(context, "/custflow.v1.TaggingService/ReloadRules");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  absl::StatusOr<bool> changed = rules_.Reload();
  if (!changed.ok()) return core::ToGrpcStatus(changed.status());
  std::shared_ptr<const RuleSet> rules = rules_.Current();
  response->set_version(rules->version());
  response->set_rules(static_cast<uint32_t>(rules->rules().size()));
  response->set_scores(static_cast<uint32_t>(rules->scores().size()));
  response->set_changed(*changed);
  if (*changed && on_rules_changed_) on_rules_changed_();
  return grpc::Status::OK;
}

grpc::Status TaggingService::ValidateRules(grpc::ServerContext* context,
                                           const v1::ValidateRulesRequest* request,
                                           v1::ValidateRulesResponse* response) {
  absl::StatusOr<auth::Principal> caller =
      auth_.Authorize(context, "/custflow.v1.TaggingService/ValidateRules");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  RuleFileResult parsed =
      ParseRuleFile(request->content(), request->file_name().empty() ? "rules.yaml" : request->file_name());
  for (v1::RuleFileError& error : parsed.errors) *response->add_errors() = std::move(error);
  if (!parsed.rules) return grpc::Status::OK;
  const RuleSet& rules = *parsed.rules;
  response->set_version(rules.version());
  response->set_rules(static_cast<uint32_t>(rules.rules().size()));
  response->set_scores(static_cast<uint32_t>(rules.scores().size()));
  if (!request->dry_run()) return grpc::Status::OK;

  struct Counts {
    uint64_t now = 0, after = 0, gained = 0, lost = 0;
  };
  std::map<std::string, Counts, std::less<>> counts;
  Evaluation evaluation;
  int64_t now = tagger_.Now();
  absl::Status walked = store_.ForEachProfile([&](const v1::Profile& profile) -> absl::Status {
    if (context->IsCancelled()) return absl::CancelledError("the caller went away");
    rules.Evaluate(profile, now, evaluation);
    response->set_profiles_evaluated(response->profiles_evaluated() + 1);
    if (Differs(evaluation, profile)) response->set_customers_changed(response->customers_changed() + 1);
    std::set<std::string_view> before(profile.tags().begin(), profile.tags().end());
    for (std::string_view tag : before) {
      Counts& tag_counts = counts[std::string(tag)];
      ++tag_counts.now;
      if (!std::binary_search(evaluation.tags.begin(), evaluation.tags.end(), tag)) ++tag_counts.lost;
    }
    for (std::string_view tag : evaluation.tags) {
      auto found = counts.find(tag);
      Counts& tag_counts = found != counts.end() ? found->second : counts[std::string(tag)];
      ++tag_counts.after;
      if (!before.contains(tag)) ++tag_counts.gained;
    }
    return absl::OkStatus();
  });
  if (!walked.ok()) return core::ToGrpcStatus(walked);
  for (const auto& [tag, tag_counts] : counts) {
    if (tag_counts.gained == 0 && tag_counts.lost == 0) continue;
    v1::TagImpact& impact = *response->add_impacts();
    impact.set_tag(tag);
    impact.set_customers_now(tag_counts.now);
    impact.set_customers_after(tag_counts.after);
    impact.set_gained(tag_counts.gained);
    impact.set_lost(tag_counts.lost);
  }
  std::stable_sort(response->mutable_impacts()->begin(), response->mutable_impacts()->end(),
                   [](const v1::TagImpact& a, const v1::TagImpact& b) {
                     return a.gained() + a.lost() > b.gained() + b.lost();
                   });
  return grpc::Status::OK;
}

grpc::Status TaggingService::Explain(grpc::ServerContext* context, const v1::ExplainRequest* request,
                                     v1::ExplainResponse* response) {
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, "/custflow.v1.TaggingService/Explain");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  if (request->customer_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "customer_id is required");
  }
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(request->customer_id());
  if (!profile.ok()) return core::ToGrpcStatus(profile.status());
  if (!*profile || !profile::InScope(auth::RowScope::Of(*caller), **profile)) {
    return NoCustomer(request->customer_id());
  }
  *response = rules_.Current()->Explain(**profile, tagger_.Now());
  return grpc::Status::OK;
}

grpc::Status TaggingService::SegmentMembers(grpc::ServerContext* context,
                                            const v1::SegmentMembersRequest* request,
                                            v1::SegmentMembersResponse* response) {
  absl::StatusOr<auth::Principal> caller =
      auth_.Authorize(context, "/custflow.v1.TaggingService/SegmentMembers");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  absl::StatusOr<v1::SegmentMembersResponse> page =
      tagging::SegmentMembers(store_).Page(*request, auth::RowScope::Of(*caller));
  if (!page.ok()) return core::ToGrpcStatus(page.status());
  *response = std::move(*page);
  return grpc::Status::OK;
}

grpc::Status TaggingService::TagHistory(grpc::ServerContext* context, const v1::TagHistoryRequest* request,
                                        v1::TagHistoryResponse* response) {
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, "/custflow.v1.TaggingService/TagHistory");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  if (history_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "tag history needs ClickHouse (CLICKHOUSE_URL is empty)");
  }
  grpc::Status in_scope = CheckHistoryScope(auth::RowScope::Of(*caller), request->customer_id());
  if (!in_scope.ok()) return in_scope;
  absl::StatusOr<v1::TagHistoryResponse> history = QueryTagHistory(*history_, *request);
  if (!history.ok()) return core::ToGrpcStatus(history.status());
  *response = std::move(*history);
  return grpc::Status::OK;
}

grpc::Status TaggingService::CheckHistoryScope(const auth::RowScope& scope, const std::string& customer_id) {
  // The history table knows no departments or owners: the customer's current profile
  // decides, as for Explain. A scope of everything needs no read and keeps the history of
  // customers merged or gone.
  if (scope.kind() == auth::RowScope::Kind::kEverything) return grpc::Status::OK;
  if (customer_id.empty()) return grpc::Status::OK;  // QueryTagHistory refuses it
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(customer_id);
  if (!profile.ok()) return core::ToGrpcStatus(profile.status());
  if (!*profile || !profile::InScope(scope, **profile)) return NoCustomer(customer_id);
  return grpc::Status::OK;
}

grpc::Status TaggingService::Sweep(grpc::ServerContext* context, const v1::SweepRequest*,
                                   grpc::ServerWriter<v1::SweepProgress>* writer) {
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, "/custflow.v1.TaggingService/Sweep");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  auto last_sent = std::chrono::steady_clock::now();
  auto to_proto = [](const SweepStatus& status) {
    v1::SweepProgress progress;
    progress.set_evaluated(status.evaluated);
    progress.set_changed(status.changed);
    progress.set_seconds(status.seconds);
    progress.set_rules_version(status.rules_version);
    return progress;
  };
  absl::StatusOr<SweepStatus> done = tagger_.Sweep(store_, [&](const SweepStatus& status) {
    if (std::chrono::steady_clock::now() - last_sent < std::chrono::seconds(1)) return;
    last_sent = std::chrono::steady_clock::now();
    writer->Write(to_proto(status));
  });
  if (!done.ok()) return core::ToGrpcStatus(done.status());
  v1::SweepProgress last = to_proto(*done);
  last.set_done(true);
  writer->Write(last);
  return grpc::Status::OK;
}

}  // namespace custflow::tagging
