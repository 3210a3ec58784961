// Resolves the customer an event is about to its canonical id: a given customer id as it
// is; a phone, e-mail, login or visitor id through the identity index the profile
// service keeps in Redis (read-only here); an identity seen for the first time to its
// deterministic derived id, the same on every ingest replica.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/redis/redis_client.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::ingest {

class IdentityResolver {
 public:
  virtual ~IdentityResolver() = default;
  // One id per reference; every reference has a customer id or an identity (validated).
  virtual absl::StatusOr<std::vector<std::string>> Resolve(
      const std::vector<const v1::CustomerRef*>& refs) = 0;
};

class RedisIdentityResolver final : public IdentityResolver {
 public:
  explicit RedisIdentityResolver(redis::RedisClient& redis) : redis_(redis) {}
  absl::StatusOr<std::vector<std::string>> Resolve(const std::vector<const v1::CustomerRef*>& refs) override;

 private:
  redis::RedisClient& redis_;
};

}  // namespace custflow::ingest
