// A loaded rule set: weighted scores and tag rules, evaluated on one profile at a time.
//
// Evaluation order is the file's: first the scores (each sets the tag "<key>:<grade>"),
// then the tag rules. Within one tag key the first rule whose condition holds wins, so
// an ordered list of rules for "lifecycle" or "value" reads like a decision table and a
// customer never gets two values of one key. Rules can read the tags set before them
// with tag('<key>').
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/tagging/expression.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::tagging {

struct TagRuleDef {
  std::string id;
  uint32_t version = 1;
  std::string key;    // "follow-up"
  std::string value;  // "high"
  std::string tag;    // "follow-up:high"
  std::string description;
  Expression condition;
};

// One band of an indicator: the points for values that satisfy it. A band without
// bounds or list catches every value.
struct Band {
  std::optional<Value> min;  // value >= min
  std::optional<Value> max;  // value <= max
  std::vector<std::string> in;
  double points = 0;
  std::string text;  // as written, for ListRules
};

struct IndicatorDef {
  std::string name;
  double weight = 0;
  Expression value;
  std::vector<Band> bands;
  // Points for a missing value; nullopt leaves the indicator out of the score, so a
  // customer is graded on the indicators there is data for.
  std::optional<double> missing_points;
};

struct GradeDef {
  double min = 0;
  std::string grade;
};

struct ScoreDef {
  std::string id;
  uint32_t version = 1;
  std::string key;  // tag key of the grade
  std::string description;
  std::optional<Expression> applies;  // the score grades only customers for whom it holds
  std::vector<IndicatorDef> indicators;
  std::vector<GradeDef> grades;  // highest minimum first
  bool profile_grade = false;
};

// What the rules give one customer. The views point into the RuleSet, which must outlive
// the evaluation; reusing one Evaluation keeps the hot path free of allocations.
struct Evaluation {
  std::vector<std::string_view> tags;  // sorted
  std::string_view grade;
  // The rule behind each tag, "<rule id>@<version>", parallel to `tags`.
  std::vector<std::string_view> rules;
};

class RuleSet {
 public:
  RuleSet(std::string version, std::vector<ScoreDef> scores, std::vector<TagRuleDef> rules);
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  ~RuleSet();

  const std::string& version() const { return version_; }
  const std::vector<ScoreDef>& scores() const { return scores_; }
  const std::vector<TagRuleDef>& rules() const { return rules_; }

  // The tags and grade of `profile` at `now` (Unix seconds).
  Evaluation Evaluate(const v1::Profile& profile, int64_t now) const;
  void Evaluate(const v1::Profile& profile, int64_t now, Evaluation& out) const;

  // Every score and rule with its inputs and result.
  v1::ExplainResponse Explain(const v1::Profile& profile, int64_t now) const;

  // The rules and scores as ListRules shows them.
  void Describe(v1::ListRulesResponse& out) const;

  // The rule that decides tags of `key` to be `tag` or not, "<rule id>@<version>": the rule
  // or score that sets `tag`, else the first one with that key; empty when none has it.
  std::string RuleFor(std::string_view tag) const;

 private:
  struct Scored {
    double score = 0;
    const GradeDef* grade = nullptr;
  };
  std::optional<Scored> Score(const ScoreDef& score, const EvalContext& context,
                              v1::ScoreResult* explained) const;

  std::string version_;
  std::vector<ScoreDef> scores_;
  std::vector<TagRuleDef> rules_;
  // Keys in first-seen order; every score and rule refers to its key by index.
  std::vector<std::string> keys_;
  std::vector<size_t> score_keys_;
  std::vector<size_t> rule_keys_;
  // Precomputed strings the evaluations point to: the tag of each grade of each score,
  // and "<id>@<version>" of each score and rule.
  std::vector<std::vector<std::string>> grade_tags_;
  std::vector<std::string> score_refs_;
  std::vector<std::string> rule_refs_;
};

// Whether the evaluation differs from what the profile carries (tags as a set, grade).
bool Differs(const Evaluation& evaluation, const v1::Profile& profile);

// The set-tags command that gives `profile` the evaluated tags and grade (by `rules` at
// `now`, Unix seconds): every tag with the rule behind it, the rule behind each tag it
// loses, the grade, the rule set version and the profile version it was computed from;
// id "tags:<customer>:v<version>:<now>", actor "tagging".
v1::Command MakeSetTagsCommand(const RuleSet& rules, const Evaluation& evaluation, const v1::Profile& profile,
                               int64_t now);

}  // namespace custflow::tagging
