// Fuzz target: the Kafka message values every consumer decodes, then the pure fold. The
// input is a starting profile snapshot followed by up to 64 messages, each an interaction
// (as the profile applier reads the interactions topic), a command (the commands topic)
// or a profile snapshot (as the tagger and the reporting sink read it; here absorbed as a
// merged customer's profile). Decoding follows the applier: a message that does not parse,
// or has no customer id, is skipped. The folded profile is then tagged with the default
// rules and the set-tags command folded in, as the tagger and the applier would. Checks:
// the folded profile survives serialization, and tagging settles (after at most three
// set-tags commands, evaluating again changes nothing).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "custflow/domain/profile_fold.h"
#include "custflow/tagging/rule_file.h"

namespace custflow {
namespace {

constexpr int64_t kNow = 1'790'000'000;
constexpr int kMaxMessages = 64;
constexpr int kMaxTaggingRounds = 3;

const tagging::RuleSet& DefaultRules() {
  static const tagging::RuleSet* rules = [] {
    tagging::RuleFileResult parsed = tagging::ParseRuleFile(tagging::DefaultRuleFileText(), "default.yaml");
    if (!parsed.rules) std::abort();
    return new tagging::RuleSet(*std::move(parsed.rules));
  }();
  return *rules;
}

// The applier loads the profile of the message's customer: the fold's precondition.
void LoadFor(v1::Profile& profile, const std::string& customer_id) {
  if (profile.customer_id() != customer_id) profile.set_customer_id(customer_id);
}

void FoldMessage(v1::Profile& profile, int kind, const std::string& value) {
  switch (kind) {
    case 0: {
      v1::Interaction event;
      if (!event.ParseFromString(value) || event.customer().customer_id().empty()) return;
      LoadFor(profile, event.customer().customer_id());
      domain::ApplyInteraction(profile, event);
      return;
    }
    case 1: {
      v1::Command command;
      if (!command.ParseFromString(value) || command.customer_id().empty()) return;
      LoadFor(profile, command.customer_id());
      domain::ApplyCommand(profile, command);
      return;
    }
    default: {
      v1::Profile merged;
      if (!merged.ParseFromString(value) || merged.customer_id().empty()) return;
      domain::AbsorbProfile(profile, merged);
      return;
    }
  }
}

void CheckSerializes(const v1::Profile& profile) {
  std::string bytes;
  v1::Profile decoded;
  if (!profile.SerializeToString(&bytes) || !decoded.ParseFromString(bytes)) std::abort();
}

// Rules may read the tags a profile carries (value-trend compares with the previous value
// tag), so one set-tags command can lead to another; but the tagger must settle, not flip.
void CheckTaggingConverges(v1::Profile& profile) {
  const tagging::RuleSet& rules = DefaultRules();
  for (int round = 0; round < kMaxTaggingRounds; ++round) {
    tagging::Evaluation evaluation = rules.Evaluate(profile, kNow);
    if (!tagging::Differs(evaluation, profile)) return;
    // A command the fold refuses (e.g. for a customer merged away) is no tagging result.
    if (!domain::ApplyCommand(profile, tagging::MakeSetTagsCommand(rules, evaluation, profile, kNow))) return;
  }
  if (tagging::Differs(rules.Evaluate(profile, kNow), profile)) std::abort();
}

}  // namespace
}  // namespace custflow

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace custflow;
  FuzzedDataProvider input(data, size);
  v1::Profile profile;
  if (!profile.ParseFromString(input.ConsumeRandomLengthString())) profile.Clear();
  for (int i = 0; i < kMaxMessages && input.remaining_bytes() > 0; ++i) {
    const int kind = input.ConsumeIntegralInRange(0, 2);
    FoldMessage(profile, kind, input.ConsumeRandomLengthString());
  }
  domain::InteractionCount(profile);
  CheckSerializes(profile);
  CheckTaggingConverges(profile);
  CheckSerializes(profile);
  return 0;
}
