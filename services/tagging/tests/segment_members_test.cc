// SegmentMembers against a real redis-server: profiles are committed through the profile
// store's write path (so the search index is the one the profile service keeps), then
// segments are paged through and checked against the tags the profiles have.
#include "services/tagging/segment_members.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "custflow/redis/hiredis_client.h"
#include "custflow/tagging/tag_expression.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tests/profile_store_test.h"
#include "tests/support/hostile_strings.h"

namespace custflow::tagging {
namespace {

// The paging tests read as an administrator; tagging_scope_test covers narrower scopes.
const auth::RowScope kEverything = auth::RowScope::Of({.name = "root", .role = auth::Role::kAdmin});

// "c007": ids whose lexical order is their numeric order.
std::string CustomerId(int n) {
  char id[16];
  std::snprintf(id, sizeof(id), "c%03d", n);
  return id;
}

class SegmentMembersTest : public ProfileStoreTest {
 protected:
  // Sets the tags of each customer in `tags` (creating the profile when new) in one commit,
  // as the profile service's applier would.
  void SetTags(const std::map<std::string, std::vector<std::string>>& tags) {
    std::vector<std::string> ids;
    for (const auto& [id, unused] : tags) ids.push_back(id);
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> loaded = store_->BatchGet(ids);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    std::vector<v1::Profile> profiles;
    std::vector<std::string> bytes;
    profiles.reserve(ids.size());
    bytes.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      v1::Profile& profile = profiles.emplace_back((*loaded)[i].value_or(v1::Profile()));
      profile.set_customer_id(ids[i]);
      profile.set_version(profile.version() + 1);
      profile.clear_tags();
      for (const std::string& tag : tags.at(ids[i])) profile.add_tags(tag);
      bytes.push_back(profile.SerializeAsString());
    }
    std::vector<profile::ProfileStore::ProfileWrite> writes;
    for (size_t i = 0; i < ids.size(); ++i) {
      writes.push_back(
          {.profile = &profiles[i], .loaded = (*loaded)[i] ? &*(*loaded)[i] : nullptr, .bytes = bytes[i]});
    }
    absl::StatusOr<bool> committed =
        store_->Commit("commands", 0, applied_, applied_.value_or(-1) + 1, writes);
    ASSERT_TRUE(committed.ok()) << committed.status();
    ASSERT_TRUE(*committed);
    applied_ = applied_.value_or(-1) + 1;
  }

  v1::SegmentMembersResponse Page(SegmentMembers& segments, const std::string& expression, uint32_t page_size,
                                  const std::string& token = "") {
    v1::SegmentMembersRequest request;
    request.set_expression(expression);
    request.set_page_size(page_size);
    request.set_page_token(token);
    absl::StatusOr<v1::SegmentMembersResponse> response = segments.Page(request, kEverything);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::SegmentMembersResponse();
  }

  // Every member, following the tokens; `pages` counts the calls.
  std::vector<std::string> All(SegmentMembers& segments, const std::string& expression, uint32_t page_size,
                               int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string token;
    int calls = 0;
    do {
      v1::SegmentMembersResponse page = Page(segments, expression, page_size, token);
      EXPECT_LE(page.customer_ids_size(), static_cast<int>(page_size));
      ids.insert(ids.end(), page.customer_ids().begin(), page.customer_ids().end());
      EXPECT_TRUE(page.next_page_token().empty() || page.next_page_token() > token)
          << "the token must advance";
      token = page.next_page_token();
      ++calls;
    } while (!token.empty() && calls < 1'000);
    if (pages != nullptr) *pages = calls;
    return ids;
  }

  std::optional<int64_t> applied_;
};

TEST_F(SegmentMembersTest, PagesThroughASegmentInIdOrder) {
  std::map<std::string, std::vector<std::string>> tags;
  std::vector<std::string> high;
  for (int n = 0; n < 250; ++n) {
    tags[CustomerId(n)] = {n % 2 == 0 ? "value:high" : "value:low", "region:华东"};
    if (n % 2 == 0) high.push_back(CustomerId(n));
  }
  SetTags(tags);
  SegmentMembers segments(*store_);

  v1::SegmentMembersResponse first = Page(segments, "value:high", 40);
  ASSERT_EQ(first.customer_ids_size(), 40);
  EXPECT_EQ(first.customer_ids(0), "c000");
  EXPECT_EQ(first.next_page_token(), "c078");
  v1::SegmentMembersResponse second = Page(segments, "value:high", 40, first.next_page_token());
  ASSERT_EQ(second.customer_ids_size(), 40);
  EXPECT_EQ(second.customer_ids(0), "c080");

  int pages = 0;
  EXPECT_EQ(All(segments, "value:high", 40, &pages), high);
  EXPECT_EQ(pages, 4);  // 40 + 40 + 40 + 5
  EXPECT_EQ(All(segments, "VALUE:HIGH", 40), std::vector<std::string>()) << "tags match case and all";
  EXPECT_EQ(All(segments, "region:华东 and not value:low", 1'000), high);
}

TEST_F(SegmentMembersTest, PageSizeDefaultsToOneHundred) {
  std::map<std::string, std::vector<std::string>> tags;
  for (int n = 0; n < 150; ++n) tags[CustomerId(n)] = {"grade:A"};
  SetTags(tags);
  SegmentMembers segments(*store_);

  v1::SegmentMembersResponse first = Page(segments, "grade:A", 0);
  EXPECT_EQ(first.customer_ids_size(), 100);
  EXPECT_EQ(first.next_page_token(), "c099");
  v1::SegmentMembersResponse last = Page(segments, "grade:A", 0, first.next_page_token());
  EXPECT_EQ(last.customer_ids_size(), 50);
  EXPECT_EQ(last.next_page_token(), "");
}

struct CombinationCase {
  std::string expression;
  std::vector<std::string> members;
};

class SegmentCombinationTest : public SegmentMembersTest,
                               public ::testing::WithParamInterface<CombinationCase> {};

TEST_P(SegmentCombinationTest, ListsCustomersWhoseTagsMatch) {
  SetTags({
      {"alice", {"value:high", "follow-up:low", "region:east", "grade:A"}},
      {"bob", {"value:high", "follow-up:high", "region:south", "grade:A"}},
      {"carol", {"value:low", "follow-up:low", "region:south", "grade:B"}},
      {"dave", {"value:medium", "region:north", "grade:A"}},
      {"erin", {}},
  });
  SegmentMembers segments(*store_);
  // Small pages so that the paging runs through every combination too.
  EXPECT_EQ(All(segments, GetParam().expression, 2), GetParam().members);
}

INSTANTIATE_TEST_SUITE_P(
    Segments, SegmentCombinationTest,
    ::testing::Values(
        CombinationCase{.expression = "value:high", .members = {"alice", "bob"}},
        CombinationCase{.expression = "value:high and not follow-up:high", .members = {"alice"}},
        CombinationCase{.expression = "(region:east or region:south) and grade:A",
                        .members = {"alice", "bob"}},
        CombinationCase{.expression = "region:east or region:south", .members = {"alice", "bob", "carol"}},
        CombinationCase{.expression = "not grade:A", .members = {"carol", "erin"}},
        CombinationCase{.expression = "not (value:high or value:low)", .members = {"dave", "erin"}},
        CombinationCase{.expression = "grade:A and follow-up:low", .members = {"alice"}},
        CombinationCase{.expression = "grade:C", .members = {}},
        CombinationCase{.expression = "grade:A and grade:C", .members = {}}),
    [](const ::testing::TestParamInfo<CombinationCase>& param) {
      return "Case" + std::to_string(param.index);
    });

TEST_F(SegmentMembersTest, CustomerLeavesAndJoinsTheSegmentAsTagsChange) {
  const std::string segment = "value:high and not follow-up:high";
  SetTags({{"alice", {"value:high"}}, {"bob", {"value:low"}}});
  SegmentMembers segments(*store_);
  EXPECT_EQ(All(segments, segment, 10), std::vector<std::string>{"alice"});

  SetTags({{"alice", {"value:high", "follow-up:high"}}, {"bob", {"value:high", "follow-up:low"}}});
  EXPECT_EQ(All(segments, segment, 10), std::vector<std::string>{"bob"});

  SetTags({{"alice", {"value:high", "follow-up:medium"}}});
  EXPECT_EQ(All(segments, segment, 10), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(SegmentMembersTest, ScanBudgetEndsAPageEarlyAndTheTokenStillAdvances) {
  std::map<std::string, std::vector<std::string>> tags;
  for (int n = 0; n < 200; ++n) tags[CustomerId(n)] = {"value:low"};
  tags[CustomerId(199)] = {"value:high"};
  SetTags(tags);
  SegmentMembers segments(*store_, {.scan_budget = 50, .max_batch = 1'000});

  // `not value:low` requires no tag: every customer is a candidate.
  v1::SegmentMembersResponse first = Page(segments, "not value:low", 10);
  EXPECT_EQ(first.customer_ids_size(), 0);
  EXPECT_EQ(first.next_page_token(), "c049");

  int pages = 0;
  EXPECT_EQ(All(segments, "not value:low", 10, &pages), std::vector<std::string>{"c199"});
  // Four calls of 50 ids each, the fourth finding c199; the fifth finds the end.
  EXPECT_EQ(pages, 5);
}

TEST_F(SegmentMembersTest, WalksTheRarestRequiredTag) {
  std::map<std::string, std::vector<std::string>> tags;
  for (int n = 0; n < 100; ++n) tags[CustomerId(n)] = {"value:high"};
  tags[CustomerId(99)] = {"value:high", "grade:A"};
  SetTags(tags);
  // A budget far below the common tag's 100 customers: only walking grade:A, which has
  // one, finds the member in one call.
  SegmentMembers segments(*store_, {.scan_budget = 5, .max_batch = 1'000});

  v1::SegmentMembersResponse page = Page(segments, "value:high and grade:A", 10);
  EXPECT_EQ(std::vector<std::string>(page.customer_ids().begin(), page.customer_ids().end()),
            std::vector<std::string>{"c099"});
  EXPECT_EQ(page.next_page_token(), "");
}

TEST_F(SegmentMembersTest, RejectsABadExpressionOrPageSize) {
  SegmentMembers segments(*store_);
  struct BadRequest {
    std::string expression;
    uint32_t page_size;
    std::string message;
  };
  const std::vector<BadRequest> bad = {
      {.expression = "value:high and",
       .page_size = 10,
       .message = "expression: column 15: expected a tag after 'and'"},
      {.expression = "", .page_size = 10, .message = "expression: column 1: the expression is empty"},
      {.expression = "value:high",
       .page_size = 1'001,
       .message = "page_size: must be at most 1000, got 1001"},
  };
  for (const BadRequest& request : bad) {
    v1::SegmentMembersRequest proto;
    proto.set_expression(request.expression);
    proto.set_page_size(request.page_size);
    absl::StatusOr<v1::SegmentMembersResponse> response = segments.Page(proto, kEverything);
    ASSERT_FALSE(response.ok()) << request.expression;
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(response.status().message()), request.message);
  }
}

// Injection attempts as tags: a segment of one hostile tag lists exactly the customer that
// has it (no pattern, range or key syntax reaches Redis), and text the grammar cannot hold
// as one tag (spaces, parentheses) is a tag expression of its own or a refusal, never a
// wider match.
TEST_F(SegmentMembersTest, HostileTagsMatchLiterallyOrAreRefused) {
  SegmentMembers segments(*store_);
  const std::vector<custflow::testing::Hostile> hostile = custflow::testing::HostileStrings();
  std::map<std::string, std::vector<std::string>> tags = {{"c000", {"x:a", "x:b"}}};
  for (size_t i = 0; i < hostile.size(); ++i) {
    if (hostile[i].storable) tags[CustomerId(static_cast<int>(i) + 1)] = {"x:" + hostile[i].value};
  }
  ASSERT_NO_FATAL_FAILURE(SetTags(tags));
  for (size_t i = 0; i < hostile.size(); ++i) {
    SCOPED_TRACE(hostile[i].label);
    v1::SegmentMembersRequest request;
    request.set_expression("x:" + hostile[i].value);
    request.set_page_size(1000);
    absl::StatusOr<v1::SegmentMembersResponse> response = segments.Page(request, kEverything);
    if (!response.ok()) {
      EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
      continue;
    }
    const std::set<std::string> members(response->customer_ids().begin(), response->customer_ids().end());
    // Only customers whose tags really satisfy the parsed expression may come back, and
    // the one holding the tag does whenever the expression is that single tag.
    absl::StatusOr<TagExpression> parsed = ParseTagExpression(request.expression());
    ASSERT_TRUE(parsed.ok());
    for (const std::string& id : members) {
      std::vector<std::string> sorted = tags.at(id);
      std::sort(sorted.begin(), sorted.end());
      EXPECT_TRUE(parsed->Matches(sorted)) << id;
    }
    if (parsed->ToString() == request.expression() && hostile[i].storable) {
      EXPECT_EQ(members, std::set<std::string>{CustomerId(static_cast<int>(i) + 1)});
    }
  }
}

}  // namespace
}  // namespace custflow::tagging
