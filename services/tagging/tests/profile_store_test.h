// The fixture of the tagging tests that read profiles: a real redis-server of the test's
// own, a client of it and the profile store over it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "custflow/redis/hiredis_client.h"
#include "services/profile/profile_store.h"
#include "tests/support/redis_server.h"

namespace custflow::tagging {

class ProfileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<custflow::testing::LocalRedisServer> server = custflow::testing::StartRedisServer();
    ASSERT_TRUE(server.ok()) << server.status();
    redis_server_.emplace(*std::move(server));
    redis::HiredisOptions options;
    options.port = redis_server_->port();
    absl::StatusOr<std::unique_ptr<redis::RedisClient>> client = redis::HiredisClient::Create(options);
    ASSERT_TRUE(client.ok()) << client.status();
    redis_ = *std::move(client);
    store_.emplace(*redis_);
  }

  std::optional<custflow::testing::LocalRedisServer> redis_server_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::optional<profile::ProfileStore> store_;
};

}  // namespace custflow::tagging
