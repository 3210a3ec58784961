#include "services/profile/profile_service.h"

#include <google/protobuf/util/time_util.h>

#include <random>
#include <thread>

#include "custflow/v1/command.pb.h"

namespace custflow::profile {
namespace {

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

std::string NewCommandId() {
  thread_local std::mt19937_64 random(std::random_device{}());
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "cmd_%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return buffer;
}

}  // namespace

ProfileService::ProfileService(ProfileStore& store, kafka::Producer& producer, ProfileServiceOptions options)
    : store_(store), producer_(producer), options_(std::move(options)) {}

grpc::Status ProfileService::GetProfile(grpc::ServerContext*, const v1::GetProfileRequest* request,
                                        v1::GetProfileResponse* response) {
  if (request->customer_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "customer_id: is required");
  }
  absl::StatusOr<std::optional<v1::Profile>> profile = store_.Get(request->customer_id());
  if (!profile.ok()) return ToGrpc(profile.status());
  if (!*profile) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no customer " + request->customer_id());
  *response->mutable_profile() = std::move(**profile);
  return grpc::Status::OK;
}

grpc::Status ProfileService::UpsertCustomer(grpc::ServerContext* context,
                                            const v1::UpsertCustomerRequest* request,
                                            v1::UpsertCustomerResponse* response) {
  const std::string& customer_id = request->customer().customer_id();
  if (customer_id.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "customer.customer_id: is required");
  }
  v1::Command command;
  command.set_command_id(NewCommandId());
  command.set_customer_id(customer_id);
  command.set_actor("api");
  *command.mutable_issued_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  *command.mutable_upsert()->mutable_customer() = request->customer();
  *command.mutable_upsert()->mutable_update_mask() = request->update_mask();

  absl::StatusOr<kafka::DeliveryReport> stored =
      producer_.SendAndWait(options_.commands_topic, customer_id, command.SerializeAsString());
  if (!stored.ok()) return ToGrpc(stored.status());
  response->set_command_id(command.command_id());
  if (!request->wait_applied()) return grpc::Status::OK;
  return WaitApplied(context, stored->partition, stored->offset, customer_id, response->mutable_profile());
}

grpc::Status ProfileService::WaitApplied(grpc::ServerContext* context, int32_t partition, int64_t offset,
                                         const std::string& customer_id, v1::Profile* profile) {
  auto deadline = std::min(context->deadline(), std::chrono::system_clock::now() + options_.apply_timeout);
  auto pause = std::chrono::milliseconds(2);
  while (std::chrono::system_clock::now() < deadline) {
    absl::StatusOr<std::optional<int64_t>> applied = store_.AppliedOffset(options_.commands_topic, partition);
    if (!applied.ok()) return ToGrpc(applied.status());
    if (*applied && **applied >= offset) {
      absl::StatusOr<std::optional<v1::Profile>> stored = store_.Get(customer_id);
      if (!stored.ok()) return ToGrpc(stored.status());
      if (*stored) *profile = std::move(**stored);
      return grpc::Status::OK;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "the change is stored in the command log but was not applied in time; it will be");
}

}  // namespace custflow::profile
