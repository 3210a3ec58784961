// The ProfileService gRPC handlers. Reads come from Redis; writes become commands on the
// command topic (the profile applier is the only writer of profile state).
#pragma once

#include <chrono>
#include <string>

#include "custflow/kafka/producer.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "services/profile/profile_store.h"

namespace custflow::profile {

struct ProfileServiceOptions {
  std::string commands_topic;
  // Longest wait for `wait_applied` when the client set no deadline.
  std::chrono::milliseconds apply_timeout{10'000};
};

class ProfileService final : public v1::ProfileService::Service {
 public:
  ProfileService(ProfileStore& store, kafka::Producer& producer, ProfileServiceOptions options);

  grpc::Status GetProfile(grpc::ServerContext* context, const v1::GetProfileRequest* request,
                          v1::GetProfileResponse* response) override;
  grpc::Status UpsertCustomer(grpc::ServerContext* context, const v1::UpsertCustomerRequest* request,
                              v1::UpsertCustomerResponse* response) override;

 private:
  // Waits until the applier stored `offset` of the commands partition, then reads the profile.
  grpc::Status WaitApplied(grpc::ServerContext* context, int32_t partition, int64_t offset,
                           const std::string& customer_id, v1::Profile* profile);

  ProfileStore& store_;
  kafka::Producer& producer_;
  ProfileServiceOptions options_;
};

}  // namespace custflow::profile
