#include "custflow/tagging/rule_set.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace custflow::tagging {
namespace {

// The tags set so far, by key index, readable through tag('<key>').
class Assigned final : public AssignedTags {
 public:
  explicit Assigned(const std::vector<std::string>& keys) : keys_(keys), values_(keys.size()) {}
  std::string_view Get(std::string_view key) const override {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) return values_[i];
    }
    return {};
  }
  bool Has(size_t key) const { return !values_[key].empty(); }
  void Set(size_t key, std::string_view value) { values_[key] = value; }

 private:
  const std::vector<std::string>& keys_;
  std::vector<std::string_view> values_;
};

size_t KeyIndex(std::vector<std::string>& keys, const std::string& key) {
  auto found = std::find(keys.begin(), keys.end(), key);
  if (found != keys.end()) return static_cast<size_t>(found - keys.begin());
  keys.push_back(key);
  return keys.size() - 1;
}

bool InBand(const Band& band, const Value& value) {
  if (band.min && !(value.number >= band.min->number)) return false;
  if (band.max && !(value.number <= band.max->number)) return false;
  if (!band.in.empty() && std::find(band.in.begin(), band.in.end(), value.text) == band.in.end())
    return false;
  return true;
}

}  // namespace

RuleSet::RuleSet(std::string version, std::vector<ScoreDef> scores, std::vector<TagRuleDef> rules)
    : version_(std::move(version)), scores_(std::move(scores)), rules_(std::move(rules)) {
  for (const ScoreDef& score : scores_) {
    score_keys_.push_back(KeyIndex(keys_, score.key));
    std::vector<std::string>& tags = grade_tags_.emplace_back();
    for (const GradeDef& grade : score.grades) tags.push_back(score.key + ":" + grade.grade);
    score_refs_.push_back(score.id + "@" + std::to_string(score.version));
  }
  for (const TagRuleDef& rule : rules_) {
    rule_keys_.push_back(KeyIndex(keys_, rule.key));
    rule_refs_.push_back(rule.id + "@" + std::to_string(rule.version));
  }
}

RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

std::optional<RuleSet::Scored> RuleSet::Score(const ScoreDef& score, const EvalContext& context,
                                              v1::ScoreResult* explained) const {
  if (score.applies && !score.applies->Evaluate(context).boolean) return std::nullopt;
  double total = 0;
  double weights = 0;
  for (const IndicatorDef& indicator : score.indicators) {
    Value value = indicator.value.Evaluate(context);
    std::optional<double> points;
    if (value.missing) {
      points = indicator.missing_points;
    } else {
      auto band = std::find_if(indicator.bands.begin(), indicator.bands.end(),
                               [&](const Band& candidate) { return InBand(candidate, value); });
      points = band == indicator.bands.end() ? 0 : band->points;
    }
    if (explained != nullptr) {
      v1::IndicatorResult& result = *explained->add_indicators();
      result.set_name(indicator.name);
      result.set_value(FormatValue(value));
      result.set_points(points.value_or(0));
      result.set_weight(points ? indicator.weight : 0);
    }
    if (!points) continue;
    total += indicator.weight * *points;
    weights += indicator.weight;
  }
  if (weights <= 0) return std::nullopt;
  Scored scored;
  scored.score = total / weights;
  for (const GradeDef& grade : score.grades) {
    // Scores are rounded to 1e-9 first so that weights like 0.1 + 0.2 reach their band.
    if (std::round(scored.score * 1e9) / 1e9 >= grade.min) {
      scored.grade = &grade;
      break;
    }
  }
  if (scored.grade == nullptr) return std::nullopt;
  return scored;
}

void RuleSet::Evaluate(const v1::Profile& profile, int64_t now, Evaluation& out) const {
  out.tags.clear();
  out.rules.clear();
  out.grade = {};
  Assigned assigned(keys_);
  EvalContext context{.profile = profile, .now = now, .tags = &assigned, .inputs = nullptr};
  for (size_t i = 0; i < scores_.size(); ++i) {
    if (assigned.Has(score_keys_[i])) continue;
    std::optional<Scored> scored = Score(scores_[i], context, nullptr);
    if (!scored) continue;
    size_t grade = static_cast<size_t>(scored->grade - scores_[i].grades.data());
    assigned.Set(score_keys_[i], scored->grade->grade);
    out.tags.push_back(grade_tags_[i][grade]);
    out.rules.push_back(score_refs_[i]);
    if (scores_[i].profile_grade && out.grade.empty()) out.grade = scored->grade->grade;
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (assigned.Has(rule_keys_[i])) continue;
    if (!rules_[i].condition.Evaluate(context).boolean) continue;
    assigned.Set(rule_keys_[i], rules_[i].value);
    out.tags.push_back(rules_[i].tag);
    out.rules.push_back(rule_refs_[i]);
  }
  // Sort tags and their rules together; a handful of entries, so insertion sort.
  for (size_t i = 1; i < out.tags.size(); ++i) {
    for (size_t j = i; j > 0 && out.tags[j] < out.tags[j - 1]; --j) {
      std::swap(out.tags[j], out.tags[j - 1]);
      std::swap(out.rules[j], out.rules[j - 1]);
    }
  }
}

Evaluation RuleSet::Evaluate(const v1::Profile& profile, int64_t now) const {
  Evaluation out;
  Evaluate(profile, now, out);
  return out;
}

v1::ExplainResponse RuleSet::Explain(const v1::Profile& profile, int64_t now) const {
  v1::ExplainResponse out;
  out.set_customer_id(profile.customer_id());
  out.set_rules_version(version_);
  *out.mutable_evaluated_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(now);
  Assigned assigned(keys_);
  std::vector<v1::RuleInput> inputs;
  EvalContext context{.profile = profile, .now = now, .tags = &assigned, .inputs = &inputs};
  for (size_t i = 0; i < scores_.size(); ++i) {
    const ScoreDef& score = scores_[i];
    v1::ScoreResult& result = *out.add_scores();
    result.set_score_id(score.id);
    result.set_version(score.version);
    if (assigned.Has(score_keys_[i])) continue;
    std::optional<Scored> scored = Score(score, context, &result);
    if (!scored) continue;
    result.set_score(scored->score);
    result.set_grade(scored->grade->grade);
    result.set_tag(score.key + ":" + scored->grade->grade);
    assigned.Set(score_keys_[i], scored->grade->grade);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    const TagRuleDef& rule = rules_[i];
    v1::RuleResult& result = *out.add_rules();
    result.set_rule_id(rule.id);
    result.set_version(rule.version);
    result.set_tag(rule.tag);
    result.set_condition(rule.condition.text());
    inputs.clear();
    result.set_matched(rule.condition.Evaluate(context).boolean);
    for (v1::RuleInput& input : inputs) *result.add_inputs() = std::move(input);
    if (result.matched() && !assigned.Has(rule_keys_[i])) {
      result.set_applied(true);
      assigned.Set(rule_keys_[i], rule.value);
    }
  }
  Evaluation evaluation = Evaluate(profile, now);
  for (std::string_view tag : evaluation.tags) out.add_tags(std::string(tag));
  out.set_grade(std::string(evaluation.grade));
  out.mutable_current_tags()->CopyFrom(profile.tags());
  out.set_current_grade(profile.grade());
  return out;
}

void RuleSet::Describe(v1::ListRulesResponse& out) const {
  out.set_version(version_);
  for (const ScoreDef& score : scores_) {
    v1::ScoreRule& described = *out.add_scores();
    described.set_id(score.id);
    described.set_tag_key(score.key);
    described.set_description(score.description);
    described.set_version(score.version);
    described.set_profile_grade(score.profile_grade);
    for (const IndicatorDef& indicator : score.indicators) {
      v1::ScoreIndicator& item = *described.add_indicators();
      item.set_name(indicator.name);
      item.set_weight(indicator.weight);
      item.set_value(indicator.value.text());
      for (const Band& band : indicator.bands) item.add_bands(band.text);
    }
    for (const GradeDef& grade : score.grades) {
      described.add_grades(FormatValue(Value{.type = Type::kNumber, .number = grade.min}) + ": " +
                           grade.grade);
    }
  }
  for (const TagRuleDef& rule : rules_) {
    v1::TagRule& described = *out.add_rules();
    described.set_tag(rule.tag);
    described.set_description(rule.description);
    described.set_id(rule.id);
    described.set_version(rule.version);
    described.set_condition(rule.condition.text());
  }
}

std::string RuleSet::RuleFor(std::string_view tag) const {
  std::string_view key = tag.substr(0, tag.find(':'));
  for (size_t i = 0; i < scores_.size(); ++i) {
    if (scores_[i].key == key) return score_refs_[i];
  }
  std::string first;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].tag == tag) return rule_refs_[i];
    if (first.empty() && rules_[i].key == key) first = rule_refs_[i];
  }
  return first;
}

bool Differs(const Evaluation& evaluation, const v1::Profile& profile) {
  if (evaluation.grade != profile.grade()) return true;
  if (static_cast<int>(evaluation.tags.size()) != profile.tags_size()) return true;
  for (const std::string& tag : profile.tags()) {
    if (!std::binary_search(evaluation.tags.begin(), evaluation.tags.end(), std::string_view(tag)))
      return true;
  }
  return false;
}

v1::Command MakeSetTagsCommand(const RuleSet& rules, const Evaluation& evaluation, const v1::Profile& profile,
                               int64_t now) {
  v1::Command command;
  command.set_command_id("tags:" + profile.customer_id() + ":v" + std::to_string(profile.version()) + ":" +
                         std::to_string(now));
  command.set_customer_id(profile.customer_id());
  command.set_actor("tagging");
  *command.mutable_issued_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(now);
  v1::SetTags& set_tags = *command.mutable_set_tags();
  for (size_t i = 0; i < evaluation.tags.size(); ++i) {
    set_tags.add_tags(std::string(evaluation.tags[i]));
    (*set_tags.mutable_rules())[std::string(evaluation.tags[i])] = std::string(evaluation.rules[i]);
  }
  for (const std::string& tag : profile.tags()) {
    if (std::binary_search(evaluation.tags.begin(), evaluation.tags.end(), std::string_view(tag))) continue;
    (*set_tags.mutable_rules())[tag] = rules.RuleFor(tag);
  }
  set_tags.set_grade(std::string(evaluation.grade));
  set_tags.set_rules_version(rules.version());
  set_tags.set_profile_version(profile.version());
  return command;
}

}  // namespace custflow::tagging
