// The ProfileService handlers, called directly, against a real Redis; for wait_applied an
// applier thread consumes what the in-memory producer delivered.
#include "services/profile/profile_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

using Record = kafka::InMemoryProducer::Record;

class ProfileServiceTest : public ProfileTest {
 protected:
  ProfileServiceOptions Options(std::chrono::milliseconds apply_timeout = std::chrono::seconds(5)) {
    return {.commands_topic = kTopics.commands,
            .interactions_topic = kTopics.interactions,
            .default_region = "CN",
            .apply_timeout = apply_timeout};
  }

  grpc::Status Get(Served& served, const std::string& customer_id, v1::GetProfileResponse& response) {
    v1::GetProfileRequest request;
    request.set_customer_id(customer_id);
    grpc::ClientContext context;
    return served.stub().GetProfile(&context, request, &response);
  }

  grpc::Status Merge(ProfileService& service, const std::string& survivor_id, const std::string& merged_id,
                     v1::MergeCustomersResponse& response) {
    v1::MergeCustomersRequest request;
    request.set_survivor_id(survivor_id);
    request.set_merged_id(merged_id);
    request.set_wait_applied(true);
    grpc::ServerContext context;
    return service.MergeCustomers(&context, &request, &response);
  }

  grpc::Status Upsert(ProfileService& service, const v1::UpsertCustomerRequest& request,
                      v1::UpsertCustomerResponse& response) {
    grpc::ServerContext context;
    return service.UpsertCustomer(&context, &request, &response);
  }
};

v1::UpsertCustomerRequest UpsertRequest(std::string customer_id, std::string name, bool wait_applied) {
  v1::UpsertCustomerRequest request;
  request.mutable_customer()->set_customer_id(std::move(customer_id));
  request.mutable_customer()->set_name(std::move(name));
  request.set_wait_applied(wait_applied);
  return request;
}

TEST_F(ProfileServiceTest, GetProfileAnswersInvalidArgumentForAnEmptyId) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);
  v1::GetProfileResponse response;
  grpc::Status status = Get(served, "", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("customer_id"), std::string::npos) << status.error_message();
}

TEST_F(ProfileServiceTest, GetProfileAnswersNotFoundForAnUnknownId) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);
  v1::GetProfileResponse response;
  grpc::Status status = Get(served, "nobody", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("nobody"), std::string::npos) << status.error_message();
}

TEST_F(ProfileServiceTest, GetProfileReturnsTheAppliedProfile) {
  Broker broker(producer_);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 1, Order("alice", kT0 + 1, 2000));
  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  ProfileService service(*store_, producer_, open_auth_, Options());

  Served served(service);
  v1::GetProfileResponse response;
  grpc::Status status = Get(served, "alice", response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.profile().customer_id(), "alice");
  EXPECT_EQ(response.profile().version(), 2u);
  EXPECT_EQ(response.profile().cumulative_amount().amount_minor(), 3000);
  EXPECT_EQ(response.profile().DebugString(), Stored("alice").DebugString());
}

TEST_F(ProfileServiceTest, ReadsAnswerUnavailableQuicklyWhileRedisIsDown) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);
  server_->Stop();
  const auto start = std::chrono::steady_clock::now();
  v1::GetProfileResponse one;
  grpc::Status status = Get(served, "alice", one);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  v1::BatchGetProfilesRequest request;
  request.add_customer_ids("alice");
  v1::BatchGetProfilesResponse many;
  grpc::ClientContext context;
  status = served.stub().BatchGetProfiles(&context, request, &many);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  v1::SearchCustomersRequest search;
  v1::SearchCustomersResponse found;
  grpc::ClientContext search_context;
  status = served.stub().SearchCustomers(&search_context, search, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // The fixture's Redis timeouts are 300 ms: three failed reads stay well within 4 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST_F(ProfileServiceTest, UpsertCustomerWithWaitAppliedReturnsTheAppliedProfile) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);

  v1::UpsertCustomerRequest create = UpsertRequest("alice", "Alice Trading Co.", true);
  create.mutable_customer()->mutable_region()->set_city("深圳市");
  v1::UpsertCustomerResponse created;
  grpc::Status status = Upsert(service, create, created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.command_id().rfind("cmd_", 0), 0u) << created.command_id();
  EXPECT_EQ(created.profile().version(), 1u);
  EXPECT_EQ(created.profile().customer().name(), "Alice Trading Co.");
  EXPECT_EQ(created.profile().customer().region().city(), "深圳市");

  // Read-your-writes: a second change through the mask is in the answer and in GetProfile.
  v1::UpsertCustomerRequest rename = UpsertRequest("alice", "Alice Holdings", true);
  rename.mutable_customer()->set_owner("not in the mask");
  rename.mutable_update_mask()->add_paths("name");
  v1::UpsertCustomerResponse renamed;
  status = Upsert(service, rename, renamed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(renamed.command_id(), created.command_id());
  EXPECT_EQ(renamed.profile().version(), 2u);
  EXPECT_EQ(renamed.profile().customer().name(), "Alice Holdings");
  EXPECT_EQ(renamed.profile().customer().owner(), "");
  EXPECT_EQ(renamed.profile().customer().region().city(), "深圳市");

  v1::GetProfileResponse read;
  status = Get(served, "alice", read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.profile().DebugString(), renamed.profile().DebugString());
}

TEST_F(ProfileServiceTest, UpsertCustomerWithoutWaitReturnsOnceTheCommandIsStored) {
  Broker broker(producer_);
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("alice", "Alice Trading Co.", false), response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.has_profile());

  std::vector<Record> commands = DeliveredTo(kTopics.commands);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].key, "alice");
  v1::Command command;
  ASSERT_TRUE(command.ParseFromString(commands[0].value));
  EXPECT_EQ(command.command_id(), response.command_id());
  EXPECT_EQ(command.customer_id(), "alice");
  EXPECT_EQ(command.actor(), "anonymous");  // the caller, here of an authenticator in open mode
  EXPECT_EQ(command.origin(), "UpsertCustomer");
  EXPECT_EQ(command.upsert().customer().name(), "Alice Trading Co.");
}

TEST_F(ProfileServiceTest, UpsertCustomerWithWaitAppliedAnswersDeadlineExceededWhenNothingApplies) {
  Broker broker(producer_);
  ProfileService service(*store_, producer_, open_auth_, Options(std::chrono::milliseconds(200)));
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("alice", "Alice Trading Co.", true), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_FALSE(response.command_id().empty());
}

TEST_F(ProfileServiceTest, UpsertCustomerCleansesWhatItWritesAndKeepsTheOriginal) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::UpsertCustomerRequest request = UpsertRequest("alice", "Alice Trading Co.", true);
  request.mutable_customer()->set_contact_phone("138 0013 8000");
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, request, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.profile().customer().contact_phone(), "+8613800138000");
  EXPECT_EQ(response.profile().customer().original_values().at("contact_phone"), "138 0013 8000");
  EXPECT_EQ(RedisContents()["cf:identity:phone:+8613800138000"], "alice");

  request.mutable_customer()->set_contact_phone("12345");
  status = Upsert(service, request, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("customer.contact_phone: ", 0), 0u) << status.error_message();
}

TEST_F(ProfileServiceTest, EraseCustomerAnonymizesTheProfileAndItsIdentities) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::UpsertCustomerRequest request = UpsertRequest("alice", "Alice Trading Co.", true);
  request.mutable_customer()->set_contact_phone("+8613800138000");
  request.mutable_customer()->set_email("alice@example.com");
  request.mutable_customer()->set_owner("李娜");
  v1::UpsertCustomerResponse upserted;
  ASSERT_TRUE(Upsert(service, request, upserted).ok());
  ASSERT_EQ(RedisContents()["cf:identity:phone:+8613800138000"], "alice");

  v1::EraseCustomerRequest erase;
  erase.set_customer_id("alice");
  erase.set_wait_applied(true);
  v1::EraseCustomerResponse erased;
  grpc::ServerContext context;
  grpc::Status status = service.EraseCustomer(&context, &erase, &erased);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(erased.profile().has_erased_at());
  EXPECT_EQ(erased.profile().customer().name(), "");
  EXPECT_EQ(erased.profile().customer().contact_phone(), "");
  EXPECT_EQ(erased.profile().customer().owner(), "李娜");
  EXPECT_EQ(erased.profile().master_change().origin(), "EraseCustomer");
  // The identity index forgets the phone and e-mail, so no later event finds the customer by them.
  std::map<std::string, std::string> redis = RedisContents();
  EXPECT_EQ(redis.count("cf:identity:phone:+8613800138000"), 0u);
  EXPECT_EQ(redis.count("cf:identity:email:alice@example.com"), 0u);
  for (const auto& [key, value] : redis) {
    EXPECT_EQ(value.find("Alice Trading"), std::string::npos) << key;
    EXPECT_EQ(value.find("13800138000"), std::string::npos) << key;
  }

  erase.set_customer_id("nobody");
  grpc::ServerContext again;
  EXPECT_EQ(service.EraseCustomer(&again, &erase, &erased).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProfileServiceTest, UpsertCustomerRequiresACustomerId) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("", "Nameless", false), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(producer_.pending_count() + producer_.delivered().size(), 0u);
}

v1::Customer Customer(const std::string& name, const std::string& owner, const std::string& province) {
  v1::Customer customer;
  customer.set_name(name);
  customer.set_owner(owner);
  customer.mutable_region()->set_province(province);
  return customer;
}

// Batches built by hand use this partition; the in-memory producer's records use 0-5, so
// the two never share applied offsets.
constexpr int32_t kHandPartition = 100;

// Applies one upsert command per customer, on the hand-made commands partition.
void ApplyUpserts(ProfileApplier& applier, const std::vector<std::pair<std::string, v1::Customer>>& customers,
                  int64_t first_offset = 0) {
  Batch batch;
  int64_t offset = first_offset;
  for (const auto& [id, customer] : customers) {
    batch.Add(kTopics.commands, kHandPartition, offset, Upsert(id, customer, kT0 + offset));
    ++offset;
  }
  absl::Status applied = applier.Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;
}

std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<v1::Profile>& profiles) {
  std::vector<std::string> ids;
  for (const v1::Profile& profile : profiles) ids.push_back(profile.customer_id());
  return ids;
}

TEST_F(ProfileServiceTest, BatchGetProfilesReturnsFoundProfilesInOrderAndNamesTheMissing) {
  Broker broker(producer_);
  ApplyUpserts(*applier_,
               {{"c1", Customer("甲", "王芳", "广东省")}, {"c2", Customer("乙", "王芳", "广东省")}});
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);
  v1::BatchGetProfilesRequest request;
  for (const char* id : {"c2", "nobody", "c1"}) request.add_customer_ids(id);
  v1::BatchGetProfilesResponse response;
  grpc::ClientContext context;
  grpc::Status status = served.stub().BatchGetProfiles(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Ids(response.profiles()), (std::vector<std::string>{"c2", "c1"}));
  EXPECT_EQ(std::vector<std::string>(response.missing_ids().begin(), response.missing_ids().end()),
            std::vector<std::string>{"nobody"});

  request.clear_customer_ids();
  for (int i = 0; i < 1001; ++i) request.add_customer_ids("c" + std::to_string(i));
  grpc::ClientContext again;
  status = served.stub().BatchGetProfiles(&again, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "customer_ids: at most 1000 per call, got 1001");
}

// "c00" .. "c39".
std::string SearchId(int i) { return (i < 10 ? "c0" : "c") + std::to_string(i); }

class SearchTest : public ProfileServiceTest {
 protected:
  // 40 customers c00..c39: owners alternate 王芳 / 张伟, every fourth is in 北京市, the
  // rest in 广东省; names "客户NN".
  void SetUp() override {
    ProfileServiceTest::SetUp();
    std::vector<std::pair<std::string, v1::Customer>> customers;
    for (int i = 0; i < 40; ++i) {
      std::string id = SearchId(i);
      customers.emplace_back(id, Customer("客户" + id.substr(1), i % 2 == 0 ? "王芳" : "张伟",
                                          i % 4 == 0 ? "北京市" : "广东省"));
    }
    Broker broker(producer_);
    ApplyUpserts(*applier_, customers);
  }

  v1::SearchCustomersResponse Search(const v1::CustomerFilter& filter, int page_size = 0,
                                     const std::string& token = "") {
    ProfileService service(*store_, producer_, open_auth_, Options());
    v1::SearchCustomersRequest request;
    *request.mutable_filter() = filter;
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::SearchCustomersResponse response;
    grpc::ServerContext context;
    grpc::Status status = service.SearchCustomers(&context, &request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
};

TEST_F(SearchTest, CombinesFiltersAndReturnsIdOrder) {
  v1::CustomerFilter filter;
  filter.set_owner("王芳");
  filter.mutable_region()->set_province("北京市");
  v1::SearchCustomersResponse found = Search(filter);
  EXPECT_EQ(Ids(found.profiles()),
            (std::vector<std::string>{"c00", "c04", "c08", "c12", "c16", "c20", "c24", "c28", "c32", "c36"}));
  EXPECT_TRUE(found.next_page_token().empty());

  filter.set_owner("张伟");  // 张伟 has only odd customers, none in 北京市
  EXPECT_EQ(Search(filter).profiles_size(), 0);
}

TEST_F(SearchTest, PagesThroughEveryMatchOnceWithTheToken) {
  v1::CustomerFilter filter;
  filter.set_owner("张伟");
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::SearchCustomersResponse page = Search(filter, 3, token);
    for (const std::string& id : Ids(page.profiles())) seen.push_back(id);
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 100);
  ASSERT_EQ(seen.size(), 20u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], SearchId(static_cast<int>(2 * i + 1)));
}

TEST_F(SearchTest, FindsTextInTheNameAndFollowsChangesOfIndexedFields) {
  v1::CustomerFilter text;
  text.set_text("客户1");
  EXPECT_EQ(Ids(Search(text).profiles()),
            (std::vector<std::string>{"c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19"}));

  // c00 moves from 王芳 to 李娜: the old owner's index no longer has it.
  v1::Customer moved;
  moved.set_owner("李娜");
  {
    Broker broker(producer_);
    ApplyUpserts(*applier_, {{"c00", moved}}, 40);
  }
  v1::CustomerFilter by_new_owner;
  by_new_owner.set_owner("李娜");
  EXPECT_EQ(Ids(Search(by_new_owner).profiles()), std::vector<std::string>{"c00"});
  v1::CustomerFilter by_old_owner;
  by_old_owner.set_owner("王芳");
  std::vector<std::string> old_owner_ids = Ids(Search(by_old_owner).profiles());
  EXPECT_EQ(old_owner_ids.size(), 19u);
  EXPECT_EQ(std::count(old_owner_ids.begin(), old_owner_ids.end(), "c00"), 0);
  EXPECT_EQ(RedisContents().count("cf:ix:owner=李娜"), 1u);
}

TEST_F(SearchTest, ARareMatchPastTheScanBudgetComesAfterShortPagesWithTokens) {
  ProfileServiceOptions options = Options();
  options.search_scan_budget = 10;
  ProfileService service(*store_, producer_, open_auth_, options);
  v1::SearchCustomersRequest request;
  request.mutable_filter()->set_text("客户39");  // only c39, the last of 40
  std::vector<std::string> pages;
  std::vector<std::string> found;
  do {
    v1::SearchCustomersResponse page;
    grpc::ServerContext context;
    grpc::Status status = service.SearchCustomers(&context, &request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const std::string& id : Ids(page.profiles())) found.push_back(id);
    pages.push_back(page.next_page_token());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && pages.size() < 10);
  // Ten ids examined per call: three empty pages that go on after c09, c19 and c29; the
  // fourth has c39 and a token (the end was not seen yet); the fifth is empty and last.
  EXPECT_EQ(pages, (std::vector<std::string>{"c09", "c19", "c29", "c39", ""}));
  EXPECT_EQ(found, std::vector<std::string>{"c39"});
}

TEST_F(SearchTest, RefusesAPageSizeOutOfRange) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::SearchCustomersRequest request;
  request.set_page_size(501);
  v1::SearchCustomersResponse response;
  grpc::ServerContext context;
  grpc::Status status = service.SearchCustomers(&context, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "page_size: must be 1-500, got 501");
}

TEST_F(ProfileServiceTest, AddFollowUpCountsOnceForTheCustomerAndMovesTheStage) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.interactions, kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::UpsertCustomerResponse created;
  ASSERT_TRUE(Upsert(service, UpsertRequest("alice", "Alice Trading Co.", true), created).ok());

  v1::AddFollowUpRequest request;
  request.set_customer_id("alice");
  request.set_agent("王芳");
  request.mutable_occurred_at()->set_seconds(kT0);
  request.mutable_follow_up()->set_content("介绍新款设备");
  request.mutable_follow_up()->set_customer_feedback("需要报价");
  request.mutable_follow_up()->set_next_step("下周发报价");
  request.mutable_follow_up()->set_stage("需求确认");
  request.set_wait_applied(true);
  v1::AddFollowUpResponse response;
  grpc::ServerContext context;
  grpc::Status status = service.AddFollowUp(&context, &request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.event_id().rfind("fu_", 0), 0u) << response.event_id();
  EXPECT_EQ(response.profile().follow_up_count(), 1u);
  EXPECT_EQ(response.profile().last_follow_up_at().seconds(), kT0);
  EXPECT_EQ(response.profile().customer().follow_up_stage(), "需求确认");
  ASSERT_EQ(response.profile().recent_follow_ups_size(), 1);
  EXPECT_EQ(response.profile().recent_follow_ups(0).detail().customer_feedback(), "需要报价");
  EXPECT_EQ(response.profile().recent_follow_ups(0).agent(), "王芳");

  // The same request again (a client retry) logs nothing more.
  v1::AddFollowUpResponse retried;
  grpc::ServerContext retry_context;
  status = service.AddFollowUp(&retry_context, &request, &retried);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.event_id(), response.event_id());
  EXPECT_EQ(retried.profile().follow_up_count(), 1u);

  std::vector<Record> events = DeliveredTo(kTopics.interactions);
  ASSERT_EQ(events.size(), 1u);
  v1::Interaction event;
  ASSERT_TRUE(event.ParseFromString(events[0].value));
  EXPECT_EQ(event.type(), v1::INTERACTION_TYPE_FOLLOW_UP);
  EXPECT_EQ(event.channel(), v1::CHANNEL_SALES);
  EXPECT_EQ(event.follow_up().customer_feedback(), "需要报价");
}

TEST_F(ProfileServiceTest, AddFollowUpNamesWhatIsMissingOrUnknown) {
  ProfileService service(*store_, producer_, open_auth_, Options());
  v1::AddFollowUpRequest request;
  request.set_customer_id("nobody");
  v1::AddFollowUpResponse response;
  grpc::ServerContext first;
  grpc::Status status = service.AddFollowUp(&first, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "follow_up.content: is required");
  request.mutable_follow_up()->set_content("回访");
  grpc::ServerContext second;
  status = service.AddFollowUp(&second, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(producer_.pending_count() + producer_.delivered().size(), 0u);
}

TEST_F(ProfileServiceTest, MergeKeepsBothHistoriesAndLaterEventsCountForTheSurvivor) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.interactions, kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  Served served(service);
  v1::Customer survivor = Customer("深圳华星科技有限公司", "王芳", "广东省");
  survivor.set_contact_phone("+8613800138000");
  v1::Customer merged = Customer("华星科技", "张伟", "广东省");
  merged.set_contact_phone("+8613900139000");
  merged.set_industry("制造业");
  ApplyUpserts(*applier_, {{"keep", survivor}, {"gone", merged}});
  Batch history;
  history.Add(kTopics.interactions, kHandPartition, 0, Order("keep", kT0, 100'00))
      .Add(kTopics.interactions, kHandPartition, 1, Order("gone", kT0 + 1, 50'00))
      .Add(kTopics.interactions, kHandPartition, 2, Event("gone", v1::INTERACTION_TYPE_FOLLOW_UP, kT0 + 2));
  ASSERT_TRUE(applier_->Apply(history.messages()).ok());

  v1::MergeCustomersResponse response;
  grpc::Status status = Merge(service, "keep", "gone", response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Profile& after = response.survivor();
  EXPECT_EQ(after.order_count(), 2u);
  EXPECT_EQ(after.cumulative_amount().amount_minor(), 150'00);
  EXPECT_EQ(after.follow_up_count(), 1u);
  EXPECT_EQ(after.customer().name(), "深圳华星科技有限公司");
  EXPECT_EQ(after.customer().industry(), "制造业");  // empty in the survivor: filled
  EXPECT_EQ(std::vector<std::string>(after.merged_ids().begin(), after.merged_ids().end()),
            std::vector<std::string>{"gone"});
  EXPECT_EQ(Stored("gone").merged_into(), "keep");

  // The merged customer's phone now leads to the survivor; search no longer finds it.
  std::map<std::string, std::string> redis = RedisContents();
  EXPECT_EQ(redis["cf:identity:phone:+8613900139000"], "keep");
  v1::SearchCustomersRequest search;
  search.mutable_filter()->set_owner("张伟");
  v1::SearchCustomersResponse found;
  grpc::ServerContext search_context;
  ASSERT_TRUE(service.SearchCustomers(&search_context, &search, &found).ok());
  EXPECT_EQ(found.profiles_size(), 0);

  // An event still addressed to the merged id counts for the survivor, once.
  Batch later;
  later.Add(kTopics.interactions, kHandPartition, 3, Order("gone", kT0 + 10, 7'00));
  ASSERT_TRUE(applier_->Apply(later.messages()).ok());
  ASSERT_TRUE(applier_->Apply(later.messages()).ok());
  v1::GetProfileResponse read;
  for (int i = 0; i < 500 && read.profile().order_count() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(Get(served, "keep", read).ok());
  }
  EXPECT_EQ(read.profile().order_count(), 3u);
  EXPECT_EQ(read.profile().cumulative_amount().amount_minor(), 157'00);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(Get(served, "keep", read).ok());
  EXPECT_EQ(read.profile().order_count(), 3u);
  EXPECT_EQ(Stored("gone").order_count(), 1u);

  status = Merge(service, "keep", "gone", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "gone was merged into keep already");
}

TEST_F(ProfileServiceTest, AChainOfMergesLeadsEverythingToTheLastSurvivor) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.interactions, kTopics.commands});
  ProfileService service(*store_, producer_, open_auth_, Options());
  ApplyUpserts(*applier_, {{"a", Customer("甲", "王芳", "广东省")},
                           {"b", Customer("乙", "王芳", "广东省")},
                           {"c", Customer("丙", "王芳", "广东省")}});
  Batch history;
  history.Add(kTopics.interactions, kHandPartition, 0, Order("a", kT0, 1'00))
      .Add(kTopics.interactions, kHandPartition, 1, Order("b", kT0 + 1, 10'00))
      .Add(kTopics.interactions, kHandPartition, 2, Order("c", kT0 + 2, 100'00));
  ASSERT_TRUE(applier_->Apply(history.messages()).ok());

  auto merge = [&](const char* survivor, const char* merged) {
    v1::MergeCustomersResponse response;
    grpc::Status status = Merge(service, survivor, merged, response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.survivor();
  };
  merge("b", "a");
  v1::Profile c = merge("c", "b");
  EXPECT_EQ(c.order_count(), 3u);
  EXPECT_EQ(c.cumulative_amount().amount_minor(), 111'00);
  std::vector<std::string> merged_ids(c.merged_ids().begin(), c.merged_ids().end());
  std::sort(merged_ids.begin(), merged_ids.end());
  EXPECT_EQ(merged_ids, (std::vector<std::string>{"a", "b"}));

  // A late event for the first merged id goes a -> b -> c and counts once.
  Batch late;
  late.Add(kTopics.interactions, kHandPartition, 3, Order("a", kT0 + 10, 1000'00));
  ASSERT_TRUE(applier_->Apply(late.messages()).ok());
  v1::Profile last;
  for (int i = 0; i < 500 && last.order_count() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    last = Stored("c");
  }
  EXPECT_EQ(last.order_count(), 4u);
  EXPECT_EQ(last.cumulative_amount().amount_minor(), 1111'00);
  EXPECT_EQ(Stored("a").order_count(), 1u);
  EXPECT_EQ(Stored("b").order_count(), 2u);  // its own and a's, as absorbed before b was merged
}

}  // namespace
}  // namespace custflow::profile::test
