// ProfileStore counts every profile read by where it was found, on a real Redis with an
// in-memory archive behind it: custflow_profile_reads_total{source=redis|archive|missing}.
#include <gtest/gtest.h>

#include <map>

#include "services/profile/profile_store.h"
#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

// The archive of a wiped Redis: the profiles it holds, by customer id.
class InMemoryArchive final : public ProfileArchive {
 public:
  explicit InMemoryArchive(std::map<std::string, v1::Profile> profiles) : profiles_(std::move(profiles)) {}

  absl::StatusOr<bool> Empty() override { return profiles_.empty(); }
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> Latest(
      const std::vector<std::string>& customer_ids) override {
    std::vector<std::optional<v1::Profile>> found;
    for (const std::string& id : customer_ids) {
      auto it = profiles_.find(id);
      found.push_back(it == profiles_.end() ? std::nullopt : std::optional<v1::Profile>(it->second));
    }
    return found;
  }
  absl::Status ForEachLatest(const std::function<absl::Status(std::vector<v1::Profile>&)>& visit) override {
    std::vector<v1::Profile> all;
    for (const auto& [id, profile] : profiles_) all.push_back(profile);
    return visit(all);
  }

 private:
  std::map<std::string, v1::Profile> profiles_;
};

v1::Profile ProfileOf(const std::string& customer_id) {
  v1::Profile profile;
  profile.set_customer_id(customer_id);
  profile.set_version(1);
  return profile;
}

class ProfileStoreReadsTest : public ProfileTest {
 protected:
  uint64_t Reads(const std::string& source) {
    return reads_metrics_.GetCounter("custflow_profile_reads_total", "", {{"source", source}}).value();
  }

  core::MetricsRegistry reads_metrics_;
};

TEST_F(ProfileStoreReadsTest, CountsEachReadByWhereTheProfileWasFound) {
  InMemoryArchive archive({{"bob", ProfileOf("bob")}, {"carol", ProfileOf("carol")}});
  ProfileStore store(*redis_, &archive, &reads_metrics_);
  absl::StatusOr<bool> restored = store.Restore(ProfileOf("alice"));
  ASSERT_TRUE(restored.ok() && *restored) << restored.status();

  ASSERT_TRUE(store.Get("alice").ok());
  ASSERT_TRUE(store.Get("bob").ok());     // restored from the archive into Redis
  ASSERT_TRUE(store.Get("bob").ok());     // now in Redis
  ASSERT_TRUE(store.Get("nobody").ok());  // neither
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> batch =
      store.BatchGet({"alice", "carol", "nobody"});
  ASSERT_TRUE(batch.ok()) << batch.status();

  EXPECT_EQ(Reads("redis"), 3u);
  EXPECT_EQ(Reads("archive"), 2u);
  EXPECT_EQ(Reads("missing"), 2u);
}

TEST_F(ProfileStoreReadsTest, TheAppliersReadsAreNotCounted) {
  ProfileStore store(*redis_, nullptr, &reads_metrics_);
  ASSERT_TRUE(store.Load({"new-customer"}, "interactions", 0).ok());
  EXPECT_EQ(Reads("missing"), 0u);
  ASSERT_TRUE(store.Get("new-customer").ok());
  EXPECT_EQ(Reads("missing"), 1u);
}

}  // namespace
}  // namespace custflow::profile::test
