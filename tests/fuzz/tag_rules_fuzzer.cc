// Fuzz target: the tag rule language. The first input byte picks what the rest is: a
// rule file (YAML, as `custflow rules check` and the tagging service load it), one
// condition (the `when` of a rule), or a segment's tag expression. What compiles is
// evaluated on a realistic profile. Checks: a tag expression prints to text that parses
// back to the same expression, and every tag it reports as required is needed to match.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/tagging/expression.h"
#include "custflow/tagging/rule_file.h"
#include "custflow/tagging/tag_expression.h"

namespace custflow::tagging {
namespace {

constexpr int64_t kNow = 1'790'000'000;

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

// A repeat buyer with a complaint and an open quote: most rule inputs have a value.
const v1::Profile& SampleProfile() {
  static const v1::Profile* profile = [] {
    auto* p = new v1::Profile();
    p->set_customer_id("cu_42");
    p->set_version(7);
    v1::Customer& customer = *p->mutable_customer();
    customer.set_name("上海示例汽车销售有限公司");
    customer.set_industry("汽车");
    customer.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
    customer.set_owner("sales-7");
    customer.set_department("east");
    *customer.mutable_first_contact_at() = At(kNow - 400 * 86400);
    (*customer.mutable_custom_fields())["渠道"] = "展会";
    (*p->mutable_interaction_counts())["INTERACTION_TYPE_ORDER"] = 3;
    (*p->mutable_interaction_counts())["INTERACTION_TYPE_COMPLAINT"] = 1;
    p->mutable_cumulative_amount()->set_currency("CNY");
    p->mutable_cumulative_amount()->set_amount_minor(25'000'000);
    p->set_order_count(3);
    *p->mutable_first_order_at() = At(kNow - 300 * 86400);
    *p->mutable_last_order_at() = At(kNow - 20 * 86400);
    *p->mutable_last_interaction_at() = At(kNow - 2 * 86400);
    p->set_follow_up_count(6);
    p->set_satisfaction_count(2);
    p->set_satisfaction_sum(7);
    p->set_complaint_count(1);
    p->set_quotes_sent(4);
    p->set_quotes_rejected(1);
    *p->add_recent_quote_rejections() = At(kNow - 10 * 86400);
    p->add_tags("value:high");
    p->add_tags("vip");
    p->set_grade("A");
    return p;
  }();
  return *profile;
}

class FixedTags final : public AssignedTags {
 public:
  std::string_view Get(std::string_view key) const override { return key == "value" ? "high" : ""; }
};

void FuzzRuleFile(std::string_view text) {
  RuleFileResult result = ParseRuleFile(text, "fuzz.yaml");
  FormatErrors(result.errors);
  if (!result.rules) return;
  result.rules->Evaluate(SampleProfile(), kNow);
  result.rules->Explain(SampleProfile(), kNow);
  v1::ListRulesResponse described;
  result.rules->Describe(described);
}

void FuzzCondition(std::string_view text) {
  absl::StatusOr<Expression> expression = CompileExpression(text);
  if (!expression.ok()) return;
  FixedTags tags;
  std::vector<v1::RuleInput> inputs;
  Value value =
      expression->Evaluate({.profile = SampleProfile(), .now = kNow, .tags = &tags, .inputs = &inputs});
  FormatValue(value);
}

// The tags of a canonical expression: its words other than the keywords.
std::vector<std::string> TagsIn(std::string_view printed) {
  std::vector<std::string> tags;
  std::string word;
  for (size_t i = 0; i <= printed.size(); ++i) {
    const char c = i < printed.size() ? printed[i] : ' ';
    if (c != ' ' && c != '(' && c != ')') {
      word.push_back(c);
      continue;
    }
    if (!word.empty() && word != "and" && word != "or" && word != "not") tags.push_back(word);
    word.clear();
  }
  return tags;
}

void FuzzTagExpression(std::string_view text) {
  absl::StatusOr<TagExpression> expression = ParseTagExpression(text);
  if (!expression.ok()) return;
  const std::string printed = expression->ToString();
  absl::StatusOr<TagExpression> reparsed = ParseTagExpression(printed);
  if (!reparsed.ok() || reparsed->ToString() != printed) std::abort();
  // Every required tag is necessary: a set of the expression's tags that matches without
  // one of them means RequiredTags promised too much, and segment lookups would miss members.
  const std::vector<std::string> required = expression->RequiredTags();
  std::vector<std::string> words = TagsIn(printed);
  if (words.size() > 16) words.resize(16);
  for (size_t left_out = 0; left_out <= words.size(); ++left_out) {
    std::vector<std::string> tags;
    for (size_t i = 0; i < words.size(); ++i) {
      if (i != left_out) tags.push_back(words[i]);
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    if (!expression->Matches(tags)) continue;
    for (const std::string& tag : required) {
      if (!std::binary_search(tags.begin(), tags.end(), tag)) std::abort();
    }
  }
}

}  // namespace
}  // namespace custflow::tagging

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      custflow::tagging::FuzzRuleFile(text);
      break;
    case 1:
      custflow::tagging::FuzzCondition(text);
      break;
    default:
      custflow::tagging::FuzzTagExpression(text);
      break;
  }
  return 0;
}
