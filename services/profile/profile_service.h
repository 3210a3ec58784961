// The ProfileService gRPC handlers. Reads come from Redis; writes become commands on the
// command topic (the profile applier is the only writer of profile state). The handlers
// live in profile_service.cc, except ImportCustomers (profile_service_import.cc) and
// FindDuplicates / QualityReport (profile_service_quality.cc). Every handler first asks
// the request authenticator whether its caller may call it, then keeps to the caller's
// row scope: reads see only customers in it, writes may only touch and leave customers in
// it (docs/SECURITY.md, "Row scopes").
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "custflow/auth/request_authenticator.h"
#include "custflow/kafka/producer.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "services/profile/profile_store.h"
#include "services/profile/row_scope.h"

namespace custflow::profile {

struct ProfileServiceOptions {
  std::string commands_topic;
  // Where AddFollowUp publishes the follow-up interaction.
  std::string interactions_topic;
  // Region for phone numbers written without a country code.
  std::string default_region = "CN";
  // How long AddFollowUp remembers a follow-up id (as ingest's DEDUPE_WINDOW).
  std::chrono::milliseconds dedupe_window = std::chrono::hours(24);
  // Ids a search examines per call at most; past it the page comes back short, with a
  // token to go on, so a search for something rare never holds a handler for long.
  size_t search_scan_budget = 20'000;
  // Longest wait for `wait_applied` when the client set no deadline.
  std::chrono::milliseconds apply_timeout{10'000};
};

// GetProfile and BatchGetProfiles, the hot reads, use gRPC's callback API: they answer on
// the thread that read the request instead of handing it to a pool thread, which cut the
// CPU per GetProfile from about 260 us to about 55 us here (docs/PERFORMANCE.md).
using ProfileServiceBase = v1::ProfileService::WithCallbackMethod_GetProfile<
    v1::ProfileService::WithCallbackMethod_BatchGetProfiles<v1::ProfileService::Service>>;

class ProfileService final : public ProfileServiceBase {
 public:
  // `auth` must outlive this object.
  ProfileService(ProfileStore& store, kafka::Producer& producer, const auth::RequestAuthenticator& auth,
                 ProfileServiceOptions options);

  grpc::ServerUnaryReactor* GetProfile(grpc::CallbackServerContext* context,
                                       const v1::GetProfileRequest* request,
                                       v1::GetProfileResponse* response) override;
  grpc::ServerUnaryReactor* BatchGetProfiles(grpc::CallbackServerContext* context,
                                             const v1::BatchGetProfilesRequest* request,
                                             v1::BatchGetProfilesResponse* response) override;
  grpc::Status SearchCustomers(grpc::ServerContext* context, const v1::SearchCustomersRequest* request,
                               v1::SearchCustomersResponse* response) override;
  grpc::Status UpsertCustomer(grpc::ServerContext* context, const v1::UpsertCustomerRequest* request,
                              v1::UpsertCustomerResponse* response) override;
  grpc::Status AddFollowUp(grpc::ServerContext* context, const v1::AddFollowUpRequest* request,
                           v1::AddFollowUpResponse* response) override;
  grpc::Status ImportCustomers(grpc::ServerContext* context,
                               grpc::ServerReader<v1::ImportCustomersRequest>* reader,
                               v1::ImportReport* response) override;
  grpc::Status FindDuplicates(grpc::ServerContext* context, const v1::FindDuplicatesRequest* request,
                              v1::FindDuplicatesResponse* response) override;
  grpc::Status MergeCustomers(grpc::ServerContext* context, const v1::MergeCustomersRequest* request,
                              v1::MergeCustomersResponse* response) override;
  grpc::Status QualityReport(grpc::ServerContext* context, const v1::QualityReportRequest* request,
                             v1::QualityReportResponse* response) override;
  grpc::Status EraseCustomer(grpc::ServerContext* context, const v1::EraseCustomerRequest* request,
                             v1::EraseCustomerResponse* response) override;

 private:
  // The caller of `context` when it may call the rpc `method` ("GetProfile"), else
  // UNAUTHENTICATED or PERMISSION_DENIED.
  absl::StatusOr<auth::Principal> Authorize(const grpc::ServerContextBase* context,
                                            std::string_view method) const;

  grpc::Status ReadProfile(const v1::GetProfileRequest& request, const auth::RowScope& scope,
                           v1::GetProfileResponse& response);
  grpc::Status ReadProfiles(const v1::BatchGetProfilesRequest& request, const auth::RowScope& scope,
                            v1::BatchGetProfilesResponse& response);
  // OK when `command` (an upsert) keeps its customer within `scope`: the stored customer
  // is in it (or there is none) and so is the customer the command leaves behind; else
  // PERMISSION_DENIED.
  grpc::Status CheckUpsertScope(const v1::Command& command, const auth::RowScope& scope);

  // Publishes `command` and answers its id in `response`; with `wait_applied`, also the
  // customer's profile once applied, as `caller` may see it (UpsertCustomer, EraseCustomer).
  template <typename Response>
  grpc::Status PublishCommand(grpc::ServerContext* context, const auth::Principal& caller,
                              const v1::Command& command, bool wait_applied, Response& response);
  // A command for `customer_id` with a new id, issued now by `caller` through `rpc` (its
  // actor and origin in the audit log).
  v1::Command NewCommand(const std::string& customer_id, const auth::Principal& caller,
                         const std::string& rpc) const;
  // Waits until the applier stored `offset` of `topic`/`partition`, then reads the profile.
  grpc::Status WaitApplied(grpc::ServerContext* context, const std::string& topic, int32_t partition,
                           int64_t offset, const std::string& customer_id, v1::Profile* profile);
  // Calls `check` with growing pauses until it returns a status or the client's deadline
  // (at most `apply_timeout`) passes.
  grpc::Status PollUntil(grpc::ServerContext* context,
                         const std::function<std::optional<grpc::Status>()>& check);

  ProfileStore& store_;
  kafka::Producer& producer_;
  const auth::RequestAuthenticator& auth_;
  ProfileServiceOptions options_;
};

}  // namespace custflow::profile
