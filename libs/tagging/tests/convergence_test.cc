// The loop test: tagging publishes a set-tags command only when the rules give a customer
// other tags or another grade, and the profile service folds that command into the
// profile, whose new snapshot tagging evaluates again. That loop must settle after one
// round. A million varied synthetic profiles are evaluated with the default rules, every
// difference becomes the command the tagging service would publish and is folded with
// domain::ApplyCommand, and a second evaluation of all of them must find nothing to
// publish; folding the same command twice must change nothing the second time.
#include <google/protobuf/arena.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/domain/profile_fold.h"
#include "custflow/tagging/rule_file.h"
#include "custflow/tagging/rule_set.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/customer.pb.h"
#include "tests/support/synthetic_profiles.h"

namespace custflow::tagging {
namespace {

constexpr uint64_t kProfiles = 1'000'000;
constexpr uint64_t kBatch = 50'000;  // divides kProfiles
// 2026-11-27T00:00:00Z.
constexpr int64_t kNow = 1'795'737'600;
using google::protobuf::util::MessageDifferencer;

// How many offending customer ids a failure lists.
constexpr size_t kExamples = 5;

// The set-tags command for a profile whose tags or grade differ from `evaluation`, built
// as services/tagging/tagger.cc (Tagger::PublishIfChanged) builds the one it publishes:
// every tag with its rule, the rule behind each tag the customer loses, grade and rule set
// version.
// Every tag the rules can give: each rule's, and "<key>:<grade>" of each score's grades.
std::vector<std::string> EveryTag(const RuleSet& rules) {
  std::vector<std::string> tags;
  for (const TagRuleDef& rule : rules.rules()) tags.push_back(rule.tag);
  for (const ScoreDef& score : rules.scores()) {
    for (const GradeDef& grade : score.grades) tags.push_back(score.key + ":" + grade.grade);
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

// Counts offending customers and keeps the first few ids for the failure message.
struct Offenders {
  uint64_t count = 0;
  std::string examples;

  void Add(const std::string& customer_id) {
    if (count++ < kExamples) examples += " " + customer_id;
  }
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(ConvergenceTest, GeneratorIsAPureFunctionOfSeedAndIndex) {
  custflow::testing::SyntheticProfileGenerator generator({.seed = 3, .now = kNow, .id_prefix = "pure"});
  custflow::testing::SyntheticProfileGenerator same({.seed = 3, .now = kNow, .id_prefix = "pure"});
  custflow::testing::SyntheticProfileGenerator other({.seed = 4, .now = kNow, .id_prefix = "pure"});
  v1::Profile reused;
  for (uint64_t index : {0, 1, 77, 999'999}) {
    generator.Generate(index + 1, reused);
    generator.Generate(index, reused);
    EXPECT_TRUE(MessageDifferencer::Equals(reused, same.Generate(index))) << index;
    EXPECT_FALSE(MessageDifferencer::Equals(reused, other.Generate(index))) << index;
  }
  EXPECT_EQ(generator.CustomerId(42), "pure-c0000000042");
}

TEST(ConvergenceTest, AMillionProfilesEvaluatedTwicePublishNothingTheSecondTime) {
  RuleFileResult loaded = ParseRuleFile(DefaultRuleFileText(), "default.yaml");
  ASSERT_TRUE(loaded.rules) << FormatErrors(loaded.errors);
  const RuleSet& rules = *loaded.rules;
  custflow::testing::SyntheticProfileGenerator generator({.seed = 2026, .now = kNow, .id_prefix = "loop"});
  Evaluation evaluation;
  std::map<std::string_view, uint64_t> tag_counts;
  uint64_t changed = 0;
  Offenders not_applied;
  Offenders applied_twice;
  Offenders still_differ;
  // A batch of profiles goes through both rounds at a time, on an arena whose first block
  // holds a whole batch and is reused: making profiles is much of the work, and this keeps
  // the test within its time budget. Evaluation is per profile, so that is the same loop.
  std::vector<char> block(size_t{1} << 28);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = block.data();
  arena_options.initial_block_size = block.size();
  google::protobuf::Arena arena(arena_options);
  std::vector<v1::Profile*> batch(kBatch);
  double first_seconds = 0;
  double second_seconds = 0;
  for (uint64_t first = 0; first < kProfiles; first += kBatch) {
    auto started = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < kBatch; ++k) {
      v1::Profile& profile = *(batch[k] = google::protobuf::Arena::CreateMessage<v1::Profile>(&arena));
      generator.Generate(first + k, profile);
      rules.Evaluate(profile, kNow, evaluation);
      for (std::string_view tag : evaluation.tags) ++tag_counts[tag];
      if (!Differs(evaluation, profile)) continue;
      ++changed;
      const v1::Command command = MakeSetTagsCommand(rules, evaluation, profile, kNow);
      if (!domain::ApplyCommand(profile, command)) {
        not_applied.Add(profile.customer_id());
      } else if (domain::ApplyCommand(profile, command)) {
        applied_twice.Add(profile.customer_id());
      }
    }
    first_seconds += SecondsSince(started);

    started = std::chrono::steady_clock::now();
    for (const v1::Profile* profile : batch) {
      rules.Evaluate(*profile, kNow, evaluation);
      if (Differs(evaluation, *profile)) still_differ.Add(profile->customer_id());
    }
    second_seconds += SecondsSince(started);
    arena.Reset();
  }
  std::printf("first round (generate, evaluate, fold) %.1f s, %llu of %llu changed; second round %.1f s\n",
              first_seconds, static_cast<unsigned long long>(changed),
              static_cast<unsigned long long>(kProfiles), second_seconds);

  // Not vacuous: most profiles are new to the rules or carry tags of an older rule set.
  EXPECT_GT(changed, kProfiles * 9 / 10);
  EXPECT_EQ(not_applied.count, 0u) << "a differing evaluation's command changed nothing:"
                                   << not_applied.examples;
  EXPECT_EQ(applied_twice.count, 0u) << "the same command changed the profile again:"
                                     << applied_twice.examples;
  EXPECT_EQ(still_differ.count, 0u) << "the second evaluation would publish again:" << still_differ.examples;
  // The generated profiles reach every rule and every grade, so the loop covers them all.
  for (const std::string& tag : EveryTag(rules)) {
    EXPECT_GT(tag_counts[tag], 0u) << "no generated profile got " << tag;
  }
}

}  // namespace
}  // namespace custflow::tagging
