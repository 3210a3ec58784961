// TaggingService over gRPC: the rules in force, reload, dry runs of a rule file over the
// current profiles, explanations for one customer, segments, tag history and sweeps.
// Profiles are read from the profile service's Redis, read-only (like ingest reads the
// identity index); tag history from ClickHouse.
#pragma once

#include <functional>

#include "custflow/auth/request_authenticator.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tagger.h"

namespace custflow::tagging {

class TaggingService final : public v1::TaggingService::Service {
 public:
  // `history` may be null: TagHistory then answers UNAVAILABLE. Every rpc asks `auth`, which
  // must outlive the service, whether its caller may call it. `on_rules_changed` runs after
  // a reload that changed the rules (the service main starts a sweep).
  TaggingService(RuleBook& rules, Tagger& tagger, profile::ProfileStore& store,
                 clickhouse::ClickHouseClient* history, const auth::RequestAuthenticator& auth,
                 std::function<void()> on_rules_changed = {});

  grpc::Status ListRules(grpc::ServerContext* context, const v1::ListRulesRequest* request,
                         v1::ListRulesResponse* response) override;
  grpc::Status ReloadRules(grpc::ServerContext* context, const v1::ReloadRulesRequest* request,
                           v1::ReloadRulesResponse* response) override;
  grpc::Status ValidateRules(grpc::ServerContext* context, const v1::ValidateRulesRequest* request,
                             v1::ValidateRulesResponse* response) override;
  grpc::Status Explain(grpc::ServerContext* context, const v1::ExplainRequest* request,
                       v1::ExplainResponse* response) override;
  grpc::Status SegmentMembers(grpc::ServerContext* context, const v1::SegmentMembersRequest* request,
                              v1::SegmentMembersResponse* response) override;
  grpc::Status TagHistory(grpc::ServerContext* context, const v1::TagHistoryRequest* request,
                          v1::TagHistoryResponse* response) override;
  grpc::Status Sweep(grpc::ServerContext* context, const v1::SweepRequest* request,
                     grpc::ServerWriter<v1::SweepProgress>* writer) override;

 private:
  // OK when a caller of `scope` may read the tag history of `customer_id`, else the
  // NOT_FOUND a missing customer gets (or the store's error).
  grpc::Status CheckHistoryScope(const auth::RowScope& scope, const std::string& customer_id);

  RuleBook& rules_;
  Tagger& tagger_;
  profile::ProfileStore& store_;
  clickhouse::ClickHouseClient* history_;
  const auth::RequestAuthenticator& auth_;
  std::function<void()> on_rules_changed_;
};

}  // namespace custflow::tagging
