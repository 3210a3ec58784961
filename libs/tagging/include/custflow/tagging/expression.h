// Conditions and values of the tag rule language, compiled once when a rule file loads
// and then evaluated on every profile without allocating. The language (documented in
// docs/TAGGING.md) reads profile fields ("follow_up_count", "province",
// "interactions.COMPLAINT_OPENED", "custom.profit_margin"), literals (5, 50000, 'SME',
// 90d, 24h), lists (['上海市', '江苏省']), comparisons, `in` / `not in`, `between .. and ..`,
// arithmetic, and/or/not, and functions for time ("since(last_order_at) > 90d",
// "count_within(recent_quote_rejections, 3d) >= 2"). Every expression is type-checked
// when compiled: comparing a duration with a plain number, or a string with a number, is
// a compile error that names the column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::tagging {

enum class Type { kBool, kNumber, kDuration, kString, kTimestamp, kTimestampList, kList };

// "bool", "number", "duration", ...: for error messages.
std::string_view TypeName(Type type);

// A value during evaluation. Strings point into the profile or the compiled expression;
// durations are seconds; timestamps are Unix seconds. `missing` when the profile has no
// value (a never-placed order's time, an unset custom field, an average of nothing):
// comparisons with a missing value are false.
struct Value {
  Type type = Type::kBool;
  bool missing = false;
  bool boolean = false;
  double number = 0;  // number, duration (seconds), timestamp (seconds)
  std::string_view text{};
  const google::protobuf::RepeatedPtrField<google::protobuf::Timestamp>* times = nullptr;
};

// The tags set so far in one evaluation, by key, for `tag('value')`.
class AssignedTags {
 public:
  // The value of `key`, or empty when no rule set it yet.
  virtual std::string_view Get(std::string_view key) const = 0;

 protected:
  ~AssignedTags() = default;
};

// What an evaluation reads: the profile, the time it is evaluated at, the tags assigned so
// far and, when explaining, where to record each input read.
struct EvalContext {
  const v1::Profile& profile;
  int64_t now = 0;  // Unix seconds
  const AssignedTags* tags = nullptr;
  std::vector<v1::RuleInput>* inputs = nullptr;
};

class Node;

// A compiled expression.
class Expression {
 public:
  Expression(std::unique_ptr<Node> root, std::string text);
  ~Expression();
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  Type type() const;
  const std::string& text() const { return text_; }
  Value Evaluate(const EvalContext& context) const;

 private:
  std::unique_ptr<Node> root_;
  std::string text_;
};

// Compiles `text`. Errors are InvalidArgument "column N: reason" (1-based column).
absl::StatusOr<Expression> CompileExpression(std::string_view text);

// `value` as text for explanations: "12", "3.5", "90d 4h", "'SME'", "2026-11-01T08:00:00Z",
// "true", "missing".
std::string FormatValue(const Value& value);

}  // namespace custflow::tagging
