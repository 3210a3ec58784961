#include "services/profile/profile_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>

#include "custflow/core/grpc_status.h"
#include "custflow/domain/customer_cleansing.h"
#include "custflow/domain/identity.h"
#include "custflow/domain/pii.h"
#include "custflow/domain/profile_fold.h"
#include "custflow/domain/search_terms.h"
#include "custflow/v1/command.pb.h"

namespace custflow::profile {
namespace {

std::string NewCommandId() {
  thread_local std::mt19937_64 random(std::random_device{}());
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "cmd_%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return buffer;
}

constexpr int kMaxBatchGet = 1000;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

// "fu_" + a stable hash of the request's who, when and what: a retried request without
// an id of its own gets the same event id.
std::string FollowUpEventId(const v1::AddFollowUpRequest& request) {
  std::string basis = request.customer_id() + "\n" + std::to_string(request.occurred_at().seconds()) + "\n" +
                      request.agent() + "\n" + request.follow_up().SerializeAsString();
  return "fu_" + domain::StableHashHex(basis);
}

// Out-of-scope customers answer as missing ones do, so a read never tells a caller that a
// customer it may not see exists.
grpc::Status NoCustomer(const std::string& customer_id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no customer " + customer_id);
}

// What the caller may see of `profile`: phones and e-mails masked without PII rights.
void ShowTo(const auth::Principal& caller, v1::Profile& profile) {
  if (!caller.pii) domain::MaskPii(profile);
}

}  // namespace

ProfileService::ProfileService(ProfileStore& store, kafka::Producer& producer,
                               const auth::RequestAuthenticator& auth, ProfileServiceOptions options)
    : store_(store), producer_(producer), auth_(auth), options_(std::move(options)) {}

absl::StatusOr<auth::Principal> ProfileService::Authorize(const grpc::ServerContextBase* context,
                                                          std::string_view method) const {
  std::string full_method =
      "/" + std::string(v1::ProfileService::service_full_name()) + "/" + std::string(method);
  return auth_.Authorize(context, full_method);
}

grpc::ServerUnaryReactor* ProfileService::GetProfile(grpc::CallbackServerContext* context,
                                                     const v1::GetProfileRequest* request,
                                                     v1::GetProfileResponse* response) {
  // Redis answers within its command timeout, so reading inline does not hold the
  // thread for long.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<auth::Principal> caller = Authorize(context, "GetProfile");
  if (!caller.ok()) {
    reactor->Finish(core::ToGrpcStatus(caller.status()));
    return reactor;
  }
  grpc::Status read = ReadProfile(*request, auth::RowScope::Of(*caller), *response);
  ShowTo(*caller, *response->mutable_profile());
  reactor->Finish(read);
  return reactor;
}

grpc::Status ProfileService::ReadProfile(const v1::GetProfileRequest& request, const auth::RowScope& scope,
                                         v1::GetProfileResponse& response) {
  if (request.customer_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "customer_id: is required");
  }
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(request.customer_id());
  if (!profile.ok()) return core::ToGrpcStatus(profile.status());
  if (!*profile || !InScope(scope, **profile)) return NoCustomer(request.customer_id());
  *response.mutable_profile() = std::move(**profile);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ProfileService::BatchGetProfiles(grpc::CallbackServerContext* context,
                                                           const v1::BatchGetProfilesRequest* request,
                                                           v1::BatchGetProfilesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<auth::Principal> caller = Authorize(context, "BatchGetProfiles");
  if (!caller.ok()) {
    reactor->Finish(core::ToGrpcStatus(caller.status()));
    return reactor;
  }
  grpc::Status read = ReadProfiles(*request, auth::RowScope::Of(*caller), *response);
  for (v1::Profile& profile : *response->mutable_profiles()) ShowTo(*caller, profile);
  reactor->Finish(read);
  return reactor;
}

grpc::Status ProfileService::ReadProfiles(const v1::BatchGetProfilesRequest& request,
                                          const auth::RowScope& scope,
                                          v1::BatchGetProfilesResponse& response) {
  if (request.customer_ids_size() > kMaxBatchGet) {
    return Invalid("customer_ids: at most " + std::to_string(kMaxBatchGet) + " per call, got " +
                   std::to_string(request.customer_ids_size()));
  }
  for (int i = 0; i < request.customer_ids_size(); ++i) {
    if (request.customer_ids(i).empty()) return Invalid("customer_ids[" + std::to_string(i) + "]: is empty");
  }
  std::vector<std::string> ids(request.customer_ids().begin(), request.customer_ids().end());
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles = store_.BatchGet(ids);
  if (!profiles.ok()) return core::ToGrpcStatus(profiles.status());
  for (size_t i = 0; i < ids.size(); ++i) {
    if ((*profiles)[i] && InScope(scope, *(*profiles)[i])) {
      *response.add_profiles() = std::move(*(*profiles)[i]);
    } else {
      response.add_missing_ids(ids[i]);
    }
  }
  return grpc::Status::OK;
}

grpc::Status ProfileService::SearchCustomers(grpc::ServerContext* context,
                                             const v1::SearchCustomersRequest* request,
                                             v1::SearchCustomersResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "SearchCustomers");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const auth::RowScope scope = auth::RowScope::Of(*caller);
  int page_size = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  if (page_size < 1 || page_size > kMaxPageSize) {
    return Invalid("page_size: must be 1-" + std::to_string(kMaxPageSize) + ", got " +
                   std::to_string(request->page_size()));
  }
  // The scope is one more term of the filter: walk the smallest index set among them all
  // and check the rest on each profile, so every page holds in-scope customers only and
  // the page token goes on where the scope's walk stopped.
  std::optional<std::string> scope_term = ScopeSearchTerm(scope);
  if (!scope_term) return grpc::Status::OK;
  std::vector<std::string> terms = domain::FilterTerms(request->filter());
  if (*scope_term != domain::kAllCustomersTerm) terms.push_back(*scope_term);
  absl::StatusOr<std::vector<uint64_t>> counts = store_.MemberCounts(terms);
  if (!counts.ok()) return core::ToGrpcStatus(counts.status());
  const std::string& walked = terms[std::min_element(counts->begin(), counts->end()) - counts->begin()];
  std::string after = request->page_token();
  size_t scanned = 0;
  while (scanned < options_.search_scan_budget) {
    const size_t chunk = std::min(std::max<size_t>(static_cast<size_t>(page_size) * 2, 200),
                                  options_.search_scan_budget - scanned);
    absl::StatusOr<std::vector<std::string>> ids = store_.Members(walked, after, chunk);
    if (!ids.ok()) return core::ToGrpcStatus(ids.status());
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles = store_.BatchGet(*ids);
    if (!profiles.ok()) return core::ToGrpcStatus(profiles.status());
    for (size_t i = 0; i < ids->size(); ++i) {
      after = (*ids)[i];
      ++scanned;
      const std::optional<v1::Profile>& profile = (*profiles)[i];
      if (!profile || !InScope(scope, *profile) || !domain::MatchesFilter(*profile, request->filter()))
        continue;
      ShowTo(*caller, *response->add_profiles() = *profile);
      if (response->profiles_size() == page_size) {
        response->set_next_page_token(after);
        return grpc::Status::OK;
      }
    }
    if (ids->size() < chunk) return grpc::Status::OK;  // the set is exhausted
  }
  response->set_next_page_token(after);
  return grpc::Status::OK;
}

grpc::Status ProfileService::UpsertCustomer(grpc::ServerContext* context,
                                            const v1::UpsertCustomerRequest* request,
                                            v1::UpsertCustomerResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "UpsertCustomer");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const std::string& customer_id = request->customer().customer_id();
  if (customer_id.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "customer.customer_id: is required");
  }
  v1::Command command = NewCommand(customer_id, *caller, "UpsertCustomer");
  v1::Customer& customer = *command.mutable_upsert()->mutable_customer();
  customer = request->customer();
  std::vector<v1::FieldViolation> violations = domain::CleanseCustomer(
      customer, {.default_region = options_.default_region, .require_key_fields = false});
  if (!violations.empty()) {
    std::string message;
    for (const v1::FieldViolation& violation : violations) {
      message += (message.empty() ? "customer." : "; customer.") + violation.field() + ": " +
                 violation.description();
    }
    return Invalid(message);
  }
  google::protobuf::FieldMask& mask = *command.mutable_upsert()->mutable_update_mask();
  mask = request->update_mask();
  if (mask.paths_size() > 0 && customer.original_values_size() > 0) mask.add_paths("original_values");
  if (grpc::Status kept = CheckUpsertScope(command, auth::RowScope::Of(*caller)); !kept.ok()) return kept;
  return PublishCommand(context, *caller, command, request->wait_applied(), *response);
}

grpc::Status ProfileService::AddFollowUp(grpc::ServerContext* context, const v1::AddFollowUpRequest* request,
                                         v1::AddFollowUpResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "AddFollowUp");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const std::string& customer_id = request->customer_id();
  if (customer_id.empty()) return Invalid("customer_id: is required");
  if (request->follow_up().content().empty()) return Invalid("follow_up.content: is required");
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(customer_id);
  if (!profile.ok()) return core::ToGrpcStatus(profile.status());
  // A follow-up on a customer the caller may not see answers as one on a missing customer.
  if (!*profile || !InScope(auth::RowScope::Of(*caller), **profile)) return NoCustomer(customer_id);

  v1::Interaction event;
  event.mutable_customer()->set_customer_id(customer_id);
  event.set_channel(v1::CHANNEL_SALES);
  event.set_type(v1::INTERACTION_TYPE_FOLLOW_UP);
  *event.mutable_received_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  *event.mutable_occurred_at() = request->has_occurred_at() ? request->occurred_at() : event.received_at();
  event.set_agent(request->agent());
  event.set_source_system("custflow-profile");
  *event.mutable_follow_up() = request->follow_up();
  event.set_event_id(request->follow_up_id().empty() ? FollowUpEventId(*request) : request->follow_up_id());
  response->set_event_id(event.event_id());

  dedupe::DedupeStore& event_ids = store_.event_ids();
  absl::StatusOr<std::vector<dedupe::DedupeStore::Claim>> claim =
      event_ids.ClaimIds({event.event_id()}, options_.apply_timeout);
  if (!claim.ok()) return core::ToGrpcStatus(claim.status());
  switch ((*claim)[0].state) {
    case dedupe::DedupeStore::ClaimState::kDuplicate:  // logged before: nothing more to do
      if (request->wait_applied()) ShowTo(*caller, *response->mutable_profile() = std::move(**profile));
      return grpc::Status::OK;
    case dedupe::DedupeStore::ClaimState::kInProgress:
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "follow-up " + event.event_id() + " is being logged by another request; retry");
    case dedupe::DedupeStore::ClaimState::kClaimed:
      break;
  }
  absl::StatusOr<kafka::DeliveryReport> stored =
      producer_.SendAndWait(options_.interactions_topic, customer_id, event.SerializeAsString());
  if (!stored.ok()) {
    (void)event_ids.Release({event.event_id()});  // the claim expires anyway if this fails too
    return core::ToGrpcStatus(stored.status());
  }
  if (absl::Status confirmed = event_ids.Confirm({{event.event_id(), customer_id}}, options_.dedupe_window);
      !confirmed.ok()) {
    return core::ToGrpcStatus(confirmed);
  }
  if (!request->wait_applied()) return grpc::Status::OK;
  grpc::Status applied = WaitApplied(context, options_.interactions_topic, stored->partition, stored->offset,
                                     customer_id, response->mutable_profile());
  ShowTo(*caller, *response->mutable_profile());
  return applied;
}

grpc::Status ProfileService::MergeCustomers(grpc::ServerContext* context,
                                            const v1::MergeCustomersRequest* request,
                                            v1::MergeCustomersResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "MergeCustomers");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const std::string& survivor_id = request->survivor_id();
  const std::string& merged_id = request->merged_id();
  if (survivor_id.empty()) return Invalid("survivor_id: is required");
  if (merged_id.empty()) return Invalid("merged_id: is required");
  if (survivor_id == merged_id) return Invalid("merged_id: is the survivor itself");
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> both = store_.BatchGet({survivor_id, merged_id});
  if (!both.ok()) return core::ToGrpcStatus(both.status());
  for (const std::string& id : {survivor_id, merged_id}) {
    const std::optional<v1::Profile>& profile = (*both)[id == survivor_id ? 0 : 1];
    if (!profile) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no customer " + id);
    if (!profile->merged_into().empty()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          id + " was merged into " + profile->merged_into() + " already");
    }
  }
  v1::Command command = NewCommand(merged_id, *caller, "MergeCustomers");
  command.mutable_merge()->set_survivor_id(survivor_id);
  command.mutable_merge()->set_merged_id(merged_id);
  absl::StatusOr<kafka::DeliveryReport> stored =
      producer_.SendAndWait(options_.commands_topic, merged_id, command.SerializeAsString());
  if (!stored.ok()) return core::ToGrpcStatus(stored.status());
  response->set_command_id(command.command_id());
  if (!request->wait_applied()) return grpc::Status::OK;
  // The merge is applied on the merged id's partition, which then sends the survivor an
  // absorb: wait for the survivor to list the merged id.
  return PollUntil(context, [&]() -> std::optional<grpc::Status> {
    absl::StatusOr<std::optional<v1::Profile>> survivor = store_.Get(survivor_id);
    if (!survivor.ok()) return core::ToGrpcStatus(survivor.status());
    if (!*survivor) return std::nullopt;
    const auto& ids = (*survivor)->merged_ids();
    if (std::find(ids.begin(), ids.end(), merged_id) == ids.end()) return std::nullopt;
    ShowTo(*caller, *response->mutable_survivor() = std::move(**survivor));
    return grpc::Status::OK;
  });
}

grpc::Status ProfileService::EraseCustomer(grpc::ServerContext* context,
                                           const v1::EraseCustomerRequest* request,
                                           v1::EraseCustomerResponse* response) {
  absl::StatusOr<auth::Principal> caller = Authorize(context, "EraseCustomer");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  const std::string& customer_id = request->customer_id();
  if (customer_id.empty()) return Invalid("customer_id: is required");
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(customer_id);
  if (!profile.ok()) return core::ToGrpcStatus(profile.status());
  if (!*profile) return NoCustomer(customer_id);
  v1::Command command = NewCommand(customer_id, *caller, std::string(domain::kEraseOrigin));
  command.mutable_erase();
  return PublishCommand(context, *caller, command, request->wait_applied(), *response);
}

template <typename Response>
grpc::Status ProfileService::PublishCommand(grpc::ServerContext* context, const auth::Principal& caller,
                                            const v1::Command& command, bool wait_applied,
                                            Response& response) {
  absl::StatusOr<kafka::DeliveryReport> stored =
      producer_.SendAndWait(options_.commands_topic, command.customer_id(), command.SerializeAsString());
  if (!stored.ok()) return core::ToGrpcStatus(stored.status());
  response.set_command_id(command.command_id());
  if (!wait_applied) return grpc::Status::OK;
  grpc::Status applied = WaitApplied(context, options_.commands_topic, stored->partition, stored->offset,
                                     command.customer_id(), response.mutable_profile());
  ShowTo(caller, *response.mutable_profile());
  return applied;
}

grpc::Status ProfileService::CheckUpsertScope(const v1::Command& command, const auth::RowScope& scope) {
  if (scope.kind() == auth::RowScope::Kind::kEverything) return grpc::Status::OK;
  absl::StatusOr<std::optional<v1::Profile>> stored = store_.Get(command.customer_id());
  if (!stored.ok()) return core::ToGrpcStatus(stored.status());
  // An upsert creates the customer when it is missing, so an id taken outside the scope
  // cannot answer NOT_FOUND; the refusal names neither the owner nor the department.
  if (*stored && !InScope(scope, **stored)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "customer " + command.customer_id() + " is outside your row scope");
  }
  // The customer as the applier will leave it: an upsert may not hand a customer (or
  // create one) outside the caller's own scope.
  v1::Profile after = *stored ? std::move(**stored) : v1::Profile();
  after.set_customer_id(command.customer_id());
  domain::ApplyCommand(after, command);
  if (!InScope(scope, after)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "customer " + command.customer_id() +
                            " would be outside your row scope: set its owner or department to yours");
  }
  return grpc::Status::OK;
}

v1::Command ProfileService::NewCommand(const std::string& customer_id, const auth::Principal& caller,
                                       const std::string& rpc) const {
  v1::Command command;
  command.set_command_id(NewCommandId());
  command.set_customer_id(customer_id);
  command.set_actor(caller.name);
  command.set_origin(rpc);
  *command.mutable_issued_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return command;
}

grpc::Status ProfileService::WaitApplied(grpc::ServerContext* context, const std::string& topic,
                                         int32_t partition, int64_t offset, const std::string& customer_id,
                                         v1::Profile* profile) {
  return PollUntil(context, [&]() -> std::optional<grpc::Status> {
    absl::StatusOr<std::optional<int64_t>> applied = store_.AppliedOffset(topic, partition);
    if (!applied.ok()) return core::ToGrpcStatus(applied.status());
    if (!*applied || **applied < offset) return std::nullopt;
    absl::StatusOr<std::optional<v1::Profile>> stored = store_.Get(customer_id);
    if (!stored.ok()) return core::ToGrpcStatus(stored.status());
    if (*stored) *profile = std::move(**stored);
    return grpc::Status::OK;
  });
}

grpc::Status ProfileService::PollUntil(grpc::ServerContext* context,
                                       const std::function<std::optional<grpc::Status>()>& check) {
  auto deadline = std::min(context->deadline(), std::chrono::system_clock::now() + options_.apply_timeout);
  auto pause = std::chrono::milliseconds(2);
  while (std::chrono::system_clock::now() < deadline) {
    if (std::optional<grpc::Status> done = check()) return *done;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "the change is stored in the command log but was not applied in time; it will be");
}

}  // namespace custflow::profile
