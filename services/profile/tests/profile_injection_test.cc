// Injection attempts against SearchCustomers on a real Redis: every text of CustomerFilter
// (and the page token) becomes part of a key or a range bound, so each hostile value must
// either be refused with INVALID_ARGUMENT or match literally (a stored value finds exactly
// its customer, free text finds exactly the customers containing it, a value stored
// nowhere finds nobody), never answer INTERNAL, and leave every key as it was.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"
#include "tests/support/hostile_strings.h"

namespace custflow::profile::test {
namespace {

using custflow::testing::Hostile;
using custflow::testing::HostileStrings;

// One exact-match text field of CustomerFilter.
struct FilterField {
  const char* name;
  std::function<void(v1::CustomerFilter&, const std::string&)> set;
};

std::vector<FilterField> ExactFields() {
  return {
      {"owner", [](v1::CustomerFilter& f, const std::string& v) { f.set_owner(v); }},
      {"department", [](v1::CustomerFilter& f, const std::string& v) { f.set_department(v); }},
      {"team", [](v1::CustomerFilter& f, const std::string& v) { f.set_team(v); }},
      {"region.province",
       [](v1::CustomerFilter& f, const std::string& v) { f.mutable_region()->set_province(v); }},
      {"region.city", [](v1::CustomerFilter& f, const std::string& v) { f.mutable_region()->set_city(v); }},
      {"region.district",
       [](v1::CustomerFilter& f, const std::string& v) { f.mutable_region()->set_district(v); }},
      {"industry", [](v1::CustomerFilter& f, const std::string& v) { f.set_industry(v); }},
      {"source", [](v1::CustomerFilter& f, const std::string& v) { f.set_source(v); }},
      {"follow_up_stage", [](v1::CustomerFilter& f, const std::string& v) { f.set_follow_up_stage(v); }},
      {"tag", [](v1::CustomerFilter& f, const std::string& v) { f.set_tag(v); }},
  };
}

std::string Id(size_t index) { return (index < 10 ? "h0" : "h") + std::to_string(index); }

// A customer whose every searchable text, and only tag, is `value`.
v1::Profile HostileProfile(const std::string& customer_id, const std::string& value) {
  v1::Profile profile;
  profile.set_customer_id(customer_id);
  profile.set_version(1);
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_customer_id(customer_id);
  customer.set_name(value);
  customer.set_contact_person(value);
  customer.set_contact_phone(value);
  customer.set_owner(value);
  customer.set_department(value);
  customer.set_team(value);
  customer.mutable_region()->set_province(value);
  customer.mutable_region()->set_city(value);
  customer.mutable_region()->set_district(value);
  customer.set_industry(value);
  customer.set_source(value);
  customer.set_follow_up_stage(value);
  profile.add_tags(value);
  return profile;
}

v1::Profile NormalProfile(const std::string& customer_id) {
  v1::Profile profile;
  profile.set_customer_id(customer_id);
  profile.set_version(1);
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_customer_id(customer_id);
  customer.set_name("杭州客户");
  customer.set_contact_person("李雷");
  customer.set_contact_phone("13800000000");
  customer.set_owner("王芳");
  customer.set_department("销售部");
  customer.set_team("华东组");
  customer.mutable_region()->set_province("浙江省");
  customer.mutable_region()->set_city("杭州市");
  customer.mutable_region()->set_district("西湖区");
  customer.set_industry("汽车");
  customer.set_source("展会");
  customer.set_follow_up_stage("初访");
  profile.add_tags("vip");
  return profile;
}

class ProfileInjectionTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    if (HasFatalFailure()) return;
    const std::vector<Hostile> hostile = HostileStrings();
    for (size_t i = 0; i < hostile.size(); ++i) {
      if (hostile[i].storable) Restore(HostileProfile(Id(i), hostile[i].value));
    }
    Restore(NormalProfile("n1"));
    Restore(NormalProfile("n2"));
    before_ = RedisContents();
  }

  void Restore(const v1::Profile& profile) {
    absl::StatusOr<bool> restored = store_->Restore(profile);
    ASSERT_TRUE(restored.ok()) << restored.status();
    ASSERT_TRUE(*restored) << profile.customer_id();
    stored_.push_back(profile);
  }

  // Every match of `request`, following the page tokens; nullopt when the search was
  // refused. Anything but OK or INVALID_ARGUMENT (with a message) fails the test.
  std::optional<std::vector<std::string>> Search(v1::SearchCustomersRequest request) {
    ProfileService service(*store_, producer_, open_auth_,
                           {.commands_topic = kTopics.commands,
                            .interactions_topic = kTopics.interactions,
                            .default_region = "CN",
                            .apply_timeout = std::chrono::seconds(5)});
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      v1::SearchCustomersResponse response;
      grpc::ServerContext context;
      const grpc::Status status = service.SearchCustomers(&context, &request, &response);
      if (!status.ok()) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
        EXPECT_FALSE(status.error_message().empty());
        return std::nullopt;
      }
      for (const v1::Profile& profile : response.profiles()) ids.push_back(profile.customer_id());
      if (response.next_page_token().empty()) return ids;
      request.set_page_token(response.next_page_token());
    }
    ADD_FAILURE() << "the page tokens never end";
    return ids;
  }

  std::vector<v1::Profile> stored_;
  std::map<std::string, std::string> before_;
};

TEST_F(ProfileInjectionTest, ExactFieldsMatchHostileValuesLiterally) {
  const std::vector<Hostile> hostile = HostileStrings();
  for (const FilterField& field : ExactFields()) {
    for (size_t i = 0; i < hostile.size(); ++i) {
      // The value itself, then a variant stored nowhere.
      for (const std::string& value : {hostile[i].value, "zz" + hostile[i].value}) {
        SCOPED_TRACE(std::string(field.name) + " = " + hostile[i].label +
                     (value == hostile[i].value ? "" : " (unstored)"));
        v1::SearchCustomersRequest request;
        field.set(*request.mutable_filter(), value);
        std::optional<std::vector<std::string>> ids = Search(request);
        // Text a customer can really have is searchable, hostile or not.
        EXPECT_TRUE(!hostile[i].storable || ids.has_value());
        if (!ids) continue;
        const bool stored = hostile[i].storable && value == hostile[i].value;
        EXPECT_EQ(*ids, stored ? std::vector<std::string>{Id(i)} : std::vector<std::string>{});
      }
    }
  }
  EXPECT_EQ(RedisContents(), before_);
}

TEST_F(ProfileInjectionTest, FreeTextFindsExactlyTheCustomersContainingIt) {
  const std::vector<Hostile> hostile = HostileStrings();
  for (size_t i = 0; i < hostile.size(); ++i) {
    for (const std::string& value : {hostile[i].value, "zz" + hostile[i].value}) {
      SCOPED_TRACE(std::string("text = ") + hostile[i].label +
                   (value == hostile[i].value ? "" : " (unstored)"));
      // Literal substring semantics: the customers whose name, contact or phone holds the bytes.
      std::vector<std::string> expected;
      for (const v1::Profile& profile : stored_) {
        const v1::Customer& c = profile.customer();
        if (c.name().find(value) != std::string::npos ||
            c.contact_person().find(value) != std::string::npos ||
            c.contact_phone().find(value) != std::string::npos) {
          expected.push_back(profile.customer_id());
        }
      }
      std::sort(expected.begin(), expected.end());
      if (hostile[i].storable && value == hostile[i].value) {
        EXPECT_NE(std::find(expected.begin(), expected.end(), Id(i)), expected.end());
      }
      v1::SearchCustomersRequest request;
      request.mutable_filter()->set_text(value);
      std::optional<std::vector<std::string>> ids = Search(request);
      EXPECT_TRUE(!hostile[i].storable || ids.has_value());
      if (ids) {
        EXPECT_EQ(*ids, expected);
      }
    }
  }
  EXPECT_EQ(RedisContents(), before_);
}

TEST_F(ProfileInjectionTest, HostilePageTokensOnlyResumeAfterThemselves) {
  std::vector<std::string> all;
  for (const v1::Profile& profile : stored_) all.push_back(profile.customer_id());
  std::sort(all.begin(), all.end());
  for (const Hostile& h : HostileStrings()) {
    SCOPED_TRACE(h.label);
    // Ids compare as bytes in Redis, as std::string compares them.
    std::vector<std::string> expected;
    for (const std::string& id : all) {
      if (id > h.value) expected.push_back(id);
    }
    v1::SearchCustomersRequest request;
    request.set_page_token(h.value);
    std::optional<std::vector<std::string>> ids = Search(request);
    if (ids) {
      EXPECT_EQ(*ids, expected);
    }
  }
  EXPECT_EQ(RedisContents(), before_);
}

}  // namespace
}  // namespace custflow::profile::test
