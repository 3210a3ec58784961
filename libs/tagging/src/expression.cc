#include "custflow/tagging/expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "custflow/domain/customer_type.h"
#include "custflow/domain/profile_fold.h"

namespace custflow::tagging {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kBool:
      return "a condition";
    case Type::kNumber:
      return "a number";
    case Type::kDuration:
      return "a duration";
    case Type::kString:
      return "a string";
    case Type::kTimestamp:
      return "a time";
    case Type::kTimestampList:
      return "a list of times";
    case Type::kList:
      return "a list";
  }
  return "a value";
}

namespace {

Value Missing(Type type) {
  Value value;
  value.type = type;
  value.missing = true;
  return value;
}
Value Number(Type type, double number) {
  Value value;
  value.type = type;
  value.number = number;
  return value;
}
Value Bool(bool boolean) {
  Value value;
  value.boolean = boolean;
  return value;
}
Value Text(std::string_view text) {
  Value value;
  value.type = Type::kString;
  value.text = text;
  return value;
}
Value Time(const google::protobuf::Timestamp& time, bool present) {
  return present ? Number(Type::kTimestamp, static_cast<double>(time.seconds())) : Missing(Type::kTimestamp);
}
Value Times(const google::protobuf::RepeatedPtrField<google::protobuf::Timestamp>& times) {
  Value value;
  value.type = Type::kTimestampList;
  value.times = &times;
  return value;
}
Value Count(uint64_t count) { return Number(Type::kNumber, static_cast<double>(count)); }

std::string FormatDuration(double seconds) {
  int64_t left = static_cast<int64_t>(std::llround(seconds));
  if (left == 0) return "0s";
  std::string out = left < 0 ? "-" : "";
  left = std::abs(left);
  const std::pair<int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  int shown = 0;
  for (const auto& [size, unit] : units) {
    if (left >= size && shown < 2) {
      if (shown > 0) out += ' ';
      out += std::to_string(left / size) + unit;
      left %= size;
      ++shown;
    }
  }
  return out;
}

std::string FormatNumber(double number) {
  if (std::isfinite(number) && number == std::floor(number) && std::abs(number) < 1e15) {
    return std::to_string(static_cast<int64_t>(number));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", number);
  return buffer;
}

std::string FormatTime(double seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace

std::string FormatValue(const Value& value) {
  if (value.missing) return "missing";
  switch (value.type) {
    case Type::kBool:
      return value.boolean ? "true" : "false";
    case Type::kNumber:
      return FormatNumber(value.number);
    case Type::kDuration:
      return FormatDuration(value.number);
    case Type::kString:
      return "'" + std::string(value.text) + "'";
    case Type::kTimestamp:
      return FormatTime(value.number);
    case Type::kTimestampList: {
      std::string out = "[";
      for (const google::protobuf::Timestamp& time : *value.times) {
        if (out.size() > 1) out += ", ";
        out += FormatTime(static_cast<double>(time.seconds()));
      }
      return out + "]";
    }
    case Type::kList:
      break;
  }
  return "";
}

// A compiled expression node. `Record` reports the node's value as an input when
// explaining; only fields and function calls do.
class Node {
 public:
  explicit Node(Type type) : type_(type) {}
  virtual ~Node() = default;
  Type type() const { return type_; }
  virtual Value Eval(const EvalContext& context) const = 0;

 private:
  Type type_;
};

namespace {

using NodePtr = std::unique_ptr<Node>;

class Literal final : public Node {
 public:
  explicit Literal(Value value, std::string text = {})
      : Node(value.type), value_(value), text_(std::move(text)) {
    if (value_.type == Type::kString) value_.text = text_;
  }
  Value Eval(const EvalContext&) const override { return value_; }
  const Value& value() const { return value_; }

 private:
  Value value_;
  std::string text_;
};

// Reports its operand as an input named by its source text.
class Recorded final : public Node {
 public:
  Recorded(NodePtr inner, std::string name)
      : Node(inner->type()), inner_(std::move(inner)), name_(std::move(name)) {}
  Value Eval(const EvalContext& context) const override {
    Value value = inner_->Eval(context);
    if (context.inputs != nullptr) {
      auto seen = std::find_if(context.inputs->begin(), context.inputs->end(),
                               [&](const v1::RuleInput& input) { return input.name() == name_; });
      if (seen == context.inputs->end()) {
        v1::RuleInput& input = *context.inputs->emplace(context.inputs->end());
        input.set_name(name_);
        input.set_value(FormatValue(value));
      }
    }
    return value;
  }

 private:
  NodePtr inner_;
  std::string name_;
};

using Getter = Value (*)(const v1::Profile&);

class Field final : public Node {
 public:
  Field(Type type, Getter getter) : Node(type), getter_(getter) {}
  Value Eval(const EvalContext& context) const override { return getter_(context.profile); }

 private:
  Getter getter_;
};

// A keyed field: interaction count by type, custom field by name.
class KeyedField final : public Node {
 public:
  using KeyedGetter = Value (*)(const v1::Profile&, const std::string&);
  KeyedField(Type type, KeyedGetter getter, std::string key)
      : Node(type), getter_(getter), key_(std::move(key)) {}
  Value Eval(const EvalContext& context) const override { return getter_(context.profile, key_); }

 private:
  KeyedGetter getter_;
  std::string key_;
};

Value StringOrMissing(const std::string& text) { return text.empty() ? Missing(Type::kString) : Text(text); }

struct FieldInfo {
  Type type;
  Getter getter;
  const char* description;
};

const std::map<std::string, FieldInfo, std::less<>>& Fields() {
  using P = const v1::Profile&;
  static const std::map<std::string, FieldInfo, std::less<>> fields = {
      {"customer_type",
       {Type::kString,
        [](P p) {
          std::string_view word = domain::CustomerTypeWord(p.customer().type());
          return word.empty() ? Missing(Type::kString) : Text(word);
        },
        "potential, closed or lost"}},
      {"industry", {Type::kString, [](P p) { return StringOrMissing(p.customer().industry()); }, "industry"}},
      {"enterprise_size",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().enterprise_size()); },
        "enterprise size"}},
      {"enterprise_type",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().enterprise_type()); },
        "enterprise type"}},
      {"source",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().source()); }, "customer source"}},
      {"province",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().region().province()); }, "province"}},
      {"city", {Type::kString, [](P p) { return StringOrMissing(p.customer().region().city()); }, "city"}},
      {"district",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().region().district()); }, "district"}},
      {"owner",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().owner()); }, "owning sales rep"}},
      {"department",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().department()); }, "owner's department"}},
      {"team", {Type::kString, [](P p) { return StringOrMissing(p.customer().team()); }, "owner's team"}},
      {"follow_up_stage",
       {Type::kString, [](P p) { return StringOrMissing(p.customer().follow_up_stage()); },
        "follow-up stage"}},
      {"follow_up_count",
       {Type::kNumber, [](P p) { return Count(p.follow_up_count()); }, "follow-ups logged"}},
      {"order_count", {Type::kNumber, [](P p) { return Count(p.order_count()); }, "orders placed"}},
      {"cumulative_amount",
       {Type::kNumber,
        [](P p) {
          return Number(Type::kNumber, static_cast<double>(p.cumulative_amount().amount_minor()) / 100);
        },
        "orders minus refunds, in major units (yuan)"}},
      {"interaction_count",
       {Type::kNumber, [](P p) { return Count(domain::InteractionCount(p)); }, "interactions of any type"}},
      {"complaint_count",
       {Type::kNumber, [](P p) { return Count(p.complaint_count()); }, "complaints opened"}},
      {"complaint_resolved_count",
       {Type::kNumber, [](P p) { return Count(p.complaint_resolved_count()); }, "complaints resolved"}},
      {"grumble_count", {Type::kNumber, [](P p) { return Count(p.grumble_count()); }, "grumbles"}},
      {"suggestion_count",
       {Type::kNumber, [](P p) { return Count(p.suggestion_count()); },
        "suggestions and repurchase intents"}},
      {"quotes_sent", {Type::kNumber, [](P p) { return Count(p.quotes_sent()); }, "quotes sent"}},
      {"quotes_accepted", {Type::kNumber, [](P p) { return Count(p.quotes_accepted()); }, "quotes accepted"}},
      {"quotes_rejected", {Type::kNumber, [](P p) { return Count(p.quotes_rejected()); }, "quotes rejected"}},
      {"response_count",
       {Type::kNumber, [](P p) { return Count(p.response_count()); }, "customer contacts answered"}},
      {"satisfaction_count", {Type::kNumber, [](P p) { return Count(p.satisfaction_count()); }, "ratings"}},
      {"satisfaction_avg",
       {Type::kNumber,
        [](P p) {
          if (p.satisfaction_count() == 0) return Missing(Type::kNumber);
          return Number(Type::kNumber, static_cast<double>(p.satisfaction_sum()) /
                                           static_cast<double>(p.satisfaction_count()));
        },
        "average rating (missing without ratings)"}},
      {"avg_response_time",
       {Type::kDuration,
        [](P p) {
          if (p.response_count() == 0) return Missing(Type::kDuration);
          return Number(Type::kDuration, static_cast<double>(p.response_seconds_sum()) /
                                             static_cast<double>(p.response_count()));
        },
        "average time to answer a customer contact (missing before the first answer)"}},
      {"last_response_time",
       {Type::kDuration,
        [](P p) {
          if (p.response_count() == 0) return Missing(Type::kDuration);
          return Number(Type::kDuration, static_cast<double>(p.last_response_seconds()));
        },
        "time the last answer took"}},
      {"first_contact_at",
       {Type::kTimestamp,
        [](P p) { return Time(p.customer().first_contact_at(), p.customer().has_first_contact_at()); },
        "first contact"}},
      {"first_order_at",
       {Type::kTimestamp, [](P p) { return Time(p.first_order_at(), p.has_first_order_at()); },
        "first order"}},
      {"last_order_at",
       {Type::kTimestamp, [](P p) { return Time(p.last_order_at(), p.has_last_order_at()); }, "last order"}},
      {"last_interaction_at",
       {Type::kTimestamp, [](P p) { return Time(p.last_interaction_at(), p.has_last_interaction_at()); },
        "last interaction of any type"}},
      {"last_follow_up_at",
       {Type::kTimestamp, [](P p) { return Time(p.last_follow_up_at(), p.has_last_follow_up_at()); },
        "last follow-up"}},
      {"last_store_visit_at",
       {Type::kTimestamp, [](P p) { return Time(p.last_store_visit_at(), p.has_last_store_visit_at()); },
        "last store visit"}},
      {"awaiting_response_since",
       {Type::kTimestamp,
        [](P p) { return Time(p.awaiting_response_since(), p.has_awaiting_response_since()); },
        "oldest unanswered customer contact (missing when none is pending)"}},
      {"updated_at",
       {Type::kTimestamp, [](P p) { return Time(p.updated_at(), p.has_updated_at()); }, "last change"}},
      {"recent_quote_rejections",
       {Type::kTimestampList, [](P p) { return Times(p.recent_quote_rejections()); },
        "times of the last 10 rejected quotes"}},
  };
  return fields;
}

// ---- functions of time and quarters ----

int64_t QuarterIndex(int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return (static_cast<int64_t>(utc.tm_year) + 1900) * 4 + utc.tm_mon / 3;
}

// The quarter index of a key "2026-Q3" (as domain::QuarterKey writes them); -1 for any
// other key. Parsed rather than formatted, so a sum walks the profile's few keys without
// building strings.
int64_t QuarterIndex(std::string_view key) {
  if (key.size() != 7 || key[4] != '-' || key[5] != 'Q' || key[6] < '1' || key[6] > '4') return -1;
  int64_t year = 0;
  for (char c : key.substr(0, 4)) {
    if (c < '0' || c > '9') return -1;
    year = year * 10 + (c - '0');
  }
  return year * 4 + (key[6] - '1');
}

class Since final : public Node {
 public:
  explicit Since(NodePtr time) : Node(Type::kDuration), time_(std::move(time)) {}
  Value Eval(const EvalContext& context) const override {
    Value time = time_->Eval(context);
    if (time.missing) return Missing(Type::kDuration);
    return Number(Type::kDuration, static_cast<double>(context.now) - time.number);
  }

 private:
  NodePtr time_;
};

// count_within(times, d): how many of the times lie within d before now.
// most_within(times, d): the most times that fit in any window of length d.
class WithinCount final : public Node {
 public:
  WithinCount(NodePtr times, double window, bool anywhere)
      : Node(Type::kNumber), times_(std::move(times)), window_(window), anywhere_(anywhere) {}
  Value Eval(const EvalContext& context) const override {
    Value times = times_->Eval(context);
    const auto& list = *times.times;
    if (!anywhere_) {
      double from = static_cast<double>(context.now) - window_;
      return Count(static_cast<uint64_t>(std::count_if(list.begin(), list.end(), [&](const auto& time) {
        return static_cast<double>(time.seconds()) >= from;
      })));
    }
    // The list is kept oldest first; a window ending at each time holds the times
    // since window_ before it.
    uint64_t most = 0;
    int first = 0;
    for (int last = 0; last < list.size(); ++last) {
      while (static_cast<double>(list[last].seconds() - list[first].seconds()) > window_) ++first;
      most = std::max<uint64_t>(most, static_cast<uint64_t>(last - first + 1));
    }
    return Count(most);
  }

 private:
  NodePtr times_;
  double window_;
  bool anywhere_;
};

// orders_in_quarters(n[, skip]) / amount_in_quarters(n[, skip]): orders or amount (major
// units) over n calendar quarters ending `skip` quarters before the current one.
class QuarterSum final : public Node {
 public:
  QuarterSum(bool amount, int64_t quarters, int64_t skip)
      : Node(Type::kNumber), amount_(amount), quarters_(quarters), skip_(skip) {}
  Value Eval(const EvalContext& context) const override {
    int64_t last = QuarterIndex(context.now) - skip_;
    int64_t first = last - quarters_ + 1;
    auto sum = [&](const auto& by_quarter, double scale) {
      double total = 0;
      for (const auto& [key, value] : by_quarter) {
        int64_t quarter = QuarterIndex(std::string_view(key));
        if (quarter >= first && quarter <= last) total += static_cast<double>(value) / scale;
      }
      return total;
    };
    return Number(Type::kNumber, amount_ ? sum(context.profile.amount_by_quarter(), 100)
                                         : sum(context.profile.orders_by_quarter(), 1));
  }

 private:
  bool amount_;
  int64_t quarters_;
  int64_t skip_;
};

class Coalesce final : public Node {
 public:
  Coalesce(Type type, std::vector<NodePtr> options) : Node(type), options_(std::move(options)) {}
  Value Eval(const EvalContext& context) const override {
    for (const NodePtr& option : options_) {
      Value value = option->Eval(context);
      if (!value.missing) return value;
    }
    return Missing(type());
  }

 private:
  std::vector<NodePtr> options_;
};

class Exists final : public Node {
 public:
  explicit Exists(NodePtr value) : Node(Type::kBool), value_(std::move(value)) {}
  Value Eval(const EvalContext& context) const override { return Bool(!value_->Eval(context).missing); }

 private:
  NodePtr value_;
};

class ToNumber final : public Node {
 public:
  explicit ToNumber(NodePtr text) : Node(Type::kNumber), text_(std::move(text)) {}
  Value Eval(const EvalContext& context) const override {
    Value text = text_->Eval(context);
    if (text.missing) return Missing(Type::kNumber);
    double number = 0;
    const char* end = text.text.data() + text.text.size();
    auto [stop, error] = std::from_chars(text.text.data(), end, number);
    if (error != std::errc() || stop != end) return Missing(Type::kNumber);
    return Number(Type::kNumber, number);
  }

 private:
  NodePtr text_;
};

class TagValue final : public Node {
 public:
  explicit TagValue(std::string key) : Node(Type::kString), key_(std::move(key)) {}
  Value Eval(const EvalContext& context) const override {
    std::string_view value = context.tags == nullptr ? std::string_view() : context.tags->Get(key_);
    return value.empty() ? Missing(Type::kString) : Text(value);
  }

 private:
  std::string key_;
};

// ---- operators ----

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kAnd, kOr };

class Compare final : public Node {
 public:
  Compare(Op op, NodePtr left, NodePtr right)
      : Node(Type::kBool), op_(op), left_(std::move(left)), right_(std::move(right)) {}
  Value Eval(const EvalContext& context) const override {
    Value left = left_->Eval(context);
    Value right = right_->Eval(context);
    if (left.missing || right.missing) return Bool(false);
    int order = 0;
    if (left.type == Type::kString) {
      order = left.text.compare(right.text);
    } else if (left.type == Type::kBool) {
      order = static_cast<int>(left.boolean) - static_cast<int>(right.boolean);
    } else {
      order = left.number < right.number ? -1 : (left.number > right.number ? 1 : 0);
    }
    switch (op_) {
      case Op::kEq:
        return Bool(order == 0);
      case Op::kNe:
        return Bool(order != 0);
      case Op::kLt:
        return Bool(order < 0);
      case Op::kLe:
        return Bool(order <= 0);
      case Op::kGt:
        return Bool(order > 0);
      case Op::kGe:
        return Bool(order >= 0);
      default:
        return Bool(false);
    }
  }

 private:
  Op op_;
  NodePtr left_;
  NodePtr right_;
};

class Arithmetic final : public Node {
 public:
  Arithmetic(Type type, Op op, NodePtr left, NodePtr right)
      : Node(type), op_(op), left_(std::move(left)), right_(std::move(right)) {}
  Value Eval(const EvalContext& context) const override {
    Value left = left_->Eval(context);
    Value right = right_->Eval(context);
    if (left.missing || right.missing) return Missing(type());
    switch (op_) {
      case Op::kAdd:
        return Number(type(), left.number + right.number);
      case Op::kSub:
        return Number(type(), left.number - right.number);
      case Op::kMul:
        return Number(type(), left.number * right.number);
      case Op::kDiv:
        if (right.number == 0) return Missing(type());
        return Number(type(), left.number / right.number);
      default:
        return Missing(type());
    }
  }

 private:
  Op op_;
  NodePtr left_;
  NodePtr right_;
};

class Logical final : public Node {
 public:
  Logical(Op op, NodePtr left, NodePtr right)
      : Node(Type::kBool), op_(op), left_(std::move(left)), right_(std::move(right)) {}
  Value Eval(const EvalContext& context) const override {
    bool left = left_->Eval(context).boolean;
    // Explanations show every input, so both sides are read when explaining.
    if (context.inputs == nullptr && (op_ == Op::kAnd ? !left : left)) return Bool(left);
    bool right = right_->Eval(context).boolean;
    return Bool(op_ == Op::kAnd ? left && right : left || right);
  }

 private:
  Op op_;
  NodePtr left_;
  NodePtr right_;
};

class Not final : public Node {
 public:
  explicit Not(NodePtr operand) : Node(Type::kBool), operand_(std::move(operand)) {}
  Value Eval(const EvalContext& context) const override { return Bool(!operand_->Eval(context).boolean); }

 private:
  NodePtr operand_;
};

class InList final : public Node {
 public:
  InList(NodePtr value, std::vector<std::string> texts, std::vector<double> numbers, bool negated)
      : Node(Type::kBool),
        value_(std::move(value)),
        texts_(std::move(texts)),
        numbers_(std::move(numbers)),
        negated_(negated) {
    std::sort(texts_.begin(), texts_.end());
    std::sort(numbers_.begin(), numbers_.end());
  }
  Value Eval(const EvalContext& context) const override {
    Value value = value_->Eval(context);
    if (value.missing) return Bool(false);
    bool found = value.type == Type::kString
                     ? std::binary_search(texts_.begin(), texts_.end(), value.text, std::less<>())
                     : std::binary_search(numbers_.begin(), numbers_.end(), value.number);
    return Bool(found != negated_);
  }

 private:
  NodePtr value_;
  std::vector<std::string> texts_;
  std::vector<double> numbers_;
  bool negated_;
};

class Between final : public Node {
 public:
  Between(NodePtr value, NodePtr low, NodePtr high)
      : Node(Type::kBool), value_(std::move(value)), low_(std::move(low)), high_(std::move(high)) {}
  Value Eval(const EvalContext& context) const override {
    Value value = value_->Eval(context);
    Value low = low_->Eval(context);
    Value high = high_->Eval(context);
    if (value.missing || low.missing || high.missing) return Bool(false);
    return Bool(low.number <= value.number && value.number <= high.number);
  }

 private:
  NodePtr value_;
  NodePtr low_;
  NodePtr high_;
};

// ---- lexer ----

enum class Token { kEnd, kNumber, kDuration, kString, kIdent, kSymbol };

struct Lexeme {
  Token kind = Token::kEnd;
  std::string text;  // identifier (as written), symbol, or string contents
  double number = 0;
  size_t column = 0;  // 1-based
};

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_'; }
bool IsIdentPart(unsigned char c) { return std::isalnum(c) || c == '_' || c == '.'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

absl::Status ErrorAt(size_t column, std::string_view reason) {
  return absl::InvalidArgumentError("column " + std::to_string(column) + ": " + std::string(reason));
}

absl::StatusOr<std::vector<Lexeme>> Lex(std::string_view text) {
  std::vector<Lexeme> out;
  size_t i = 0;
  while (true) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    Lexeme lexeme;
    lexeme.column = i + 1;
    if (i >= text.size()) {
      out.push_back(lexeme);
      return out;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isdigit(c)) {
      size_t start = i;
      std::string digits;
      while (i < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '.')) {
        if (text[i] != '_') digits += text[i];
        ++i;
      }
      auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), lexeme.number);
      if (error != std::errc() || stop != digits.data() + digits.size()) {
        return ErrorAt(start + 1, "'" + std::string(text.substr(start, i - start)) + "' is not a number");
      }
      lexeme.kind = Token::kNumber;
      if (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
        size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string unit(text.substr(unit_start, i - unit_start));
        static const std::map<std::string, double, std::less<>> units = {
            {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
        auto found = units.find(unit);
        if (found == units.end()) {
          return ErrorAt(unit_start + 1, "unknown duration unit '" + unit + "' (use s, m, h, d or w)");
        }
        lexeme.kind = Token::kDuration;
        lexeme.number *= found->second;
      }
      lexeme.text = std::string(text.substr(start, i - start));
      out.push_back(std::move(lexeme));
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t close = text.find(static_cast<char>(c), i + 1);
      if (close == std::string_view::npos) return ErrorAt(i + 1, "string not closed");
      lexeme.kind = Token::kString;
      lexeme.text = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
      out.push_back(std::move(lexeme));
      continue;
    }
    if (IsIdentStart(c)) {
      size_t start = i;
      while (i < text.size() && IsIdentPart(static_cast<unsigned char>(text[i]))) ++i;
      lexeme.kind = Token::kIdent;
      lexeme.text = std::string(text.substr(start, i - start));
      out.push_back(std::move(lexeme));
      continue;
    }
    static const char* const symbols[] = {"==", "!=", "<=", ">=", "<", ">", "+", "-",
                                          "*",  "/",  "(",  ")",  "[", "]", ","};
    bool matched = false;
    for (const char* symbol : symbols) {
      std::string_view candidate(symbol);
      if (text.substr(i, candidate.size()) == candidate) {
        lexeme.kind = Token::kSymbol;
        lexeme.text = std::string(candidate);
        i += candidate.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      if (c == '=') return ErrorAt(i + 1, "'=' is not an operator; compare with '=='");
      return ErrorAt(i + 1, "unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
    }
    out.push_back(std::move(lexeme));
  }
}

// ---- parser ----

class Parser {
 public:
  Parser(std::string_view source, std::vector<Lexeme> lexemes)
      : source_(source), lexemes_(std::move(lexemes)) {}

  absl::StatusOr<NodePtr> ParseAll() {
    absl::StatusOr<NodePtr> root = ParseOr();
    if (!root.ok()) return root;
    if (Peek().kind != Token::kEnd) return Error("unexpected '" + Peek().text + "'");
    return root;
  }

 private:
  const Lexeme& Peek() const { return lexemes_[position_]; }
  bool IsKeyword(std::string_view keyword) const {
    return Peek().kind == Token::kIdent && Lower(Peek().text) == keyword;
  }
  bool IsSymbol(std::string_view symbol) const {
    return Peek().kind == Token::kSymbol && Peek().text == symbol;
  }
  const Lexeme& Take() { return lexemes_[position_++]; }
  absl::Status Error(std::string_view reason) const { return ErrorAt(Peek().column, reason); }
  absl::Status Expect(std::string_view symbol) {
    if (!IsSymbol(symbol)) {
      return Error("expected '" + std::string(symbol) + "'" +
                   (Peek().kind == Token::kEnd ? " before the end" : " before '" + Peek().text + "'"));
    }
    ++position_;
    return absl::OkStatus();
  }
  std::string SourceFrom(size_t column) const {
    size_t end = Peek().kind == Token::kEnd ? source_.size() : lexemes_[position_].column - 1;
    std::string_view text = source_.substr(column - 1, end - (column - 1));
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
  }

  absl::StatusOr<NodePtr> RequireBool(absl::StatusOr<NodePtr> node, size_t column, std::string_view what) {
    if (node.ok() && (*node)->type() != Type::kBool) {
      return ErrorAt(column,
                     std::string(what) + " needs a condition, not " + std::string(TypeName((*node)->type())));
    }
    return node;
  }

  absl::StatusOr<NodePtr> ParseOr() {
    size_t column = Peek().column;
    absl::StatusOr<NodePtr> left = ParseAnd();
    if (!left.ok()) return left;
    while (IsKeyword("or")) {
      left = RequireBool(std::move(left), column, "'or'");
      if (!left.ok()) return left;
      ++position_;
      size_t right_column = Peek().column;
      absl::StatusOr<NodePtr> right = RequireBool(ParseAnd(), right_column, "'or'");
      if (!right.ok()) return right;
      left = NodePtr(std::make_unique<Logical>(Op::kOr, std::move(*left), std::move(*right)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseAnd() {
    size_t column = Peek().column;
    absl::StatusOr<NodePtr> left = ParseNot();
    if (!left.ok()) return left;
    while (IsKeyword("and")) {
      left = RequireBool(std::move(left), column, "'and'");
      if (!left.ok()) return left;
      ++position_;
      size_t right_column = Peek().column;
      absl::StatusOr<NodePtr> right = RequireBool(ParseNot(), right_column, "'and'");
      if (!right.ok()) return right;
      left = NodePtr(std::make_unique<Logical>(Op::kAnd, std::move(*left), std::move(*right)));
    }
    return left;
  }

  // Every nesting ('not', '-', parentheses, call arguments) passes through ParseNot or
  // ParseUnary; bounding it keeps a hostile condition from overflowing the stack.
  class NestingGuard {
   public:
    explicit NestingGuard(int& depth) : depth_(depth) { ++depth_; }
    ~NestingGuard() { --depth_; }
    bool TooDeep() const { return depth_ > kMaxNesting; }

   private:
    int& depth_;
  };
  static constexpr int kMaxNesting = 64;

  absl::StatusOr<NodePtr> ParseNot() {
    NestingGuard nesting(depth_);
    if (nesting.TooDeep()) return Error("nested more than 64 levels deep");
    if (IsKeyword("not")) {
      ++position_;
      size_t column = Peek().column;
      absl::StatusOr<NodePtr> operand = RequireBool(ParseNot(), column, "'not'");
      if (!operand.ok()) return operand;
      return NodePtr(std::make_unique<Not>(std::move(*operand)));
    }
    return ParseComparison();
  }

  static bool Comparable(Type type) {
    return type == Type::kNumber || type == Type::kDuration || type == Type::kString || type == Type::kBool;
  }

  absl::Status SameType(const Node& left, const Node& right, size_t column, std::string_view what) const {
    if (left.type() == right.type()) return absl::OkStatus();
    std::string hint;
    if (left.type() == Type::kDuration && right.type() == Type::kNumber)
      hint = " (write a duration such as 90d or 24h)";
    if (left.type() == Type::kTimestamp || right.type() == Type::kTimestamp)
      hint = " (use since(...) for a time)";
    return ErrorAt(column, "cannot " + std::string(what) + " " + std::string(TypeName(left.type())) +
                               " with " + std::string(TypeName(right.type())) + hint);
  }

  absl::StatusOr<NodePtr> ParseComparison() {
    size_t column = Peek().column;
    absl::StatusOr<NodePtr> left = ParseSum();
    if (!left.ok()) return left;
    static const std::map<std::string, Op, std::less<>> comparisons = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt}, {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe}};
    if (Peek().kind == Token::kSymbol && comparisons.contains(Peek().text)) {
      Op op = comparisons.find(Peek().text)->second;
      size_t op_column = Take().column;
      absl::StatusOr<NodePtr> right = ParseSum();
      if (!right.ok()) return right;
      if (absl::Status same = SameType(**left, **right, op_column, "compare"); !same.ok()) return same;
      if (!Comparable((*left)->type()))
        return ErrorAt(column, "cannot compare " + std::string(TypeName((*left)->type())));
      bool ordered = op != Op::kEq && op != Op::kNe;
      if (ordered && ((*left)->type() == Type::kString || (*left)->type() == Type::kBool)) {
        return ErrorAt(op_column, "only numbers and durations are ordered; compare " +
                                      std::string(TypeName((*left)->type())) + " with == or != or 'in'");
      }
      return NodePtr(std::make_unique<Compare>(op, std::move(*left), std::move(*right)));
    }
    bool negated = false;
    if (IsKeyword("not") && position_ + 1 < lexemes_.size() &&
        lexemes_[position_ + 1].kind == Token::kIdent && Lower(lexemes_[position_ + 1].text) == "in") {
      negated = true;
      ++position_;
    }
    if (IsKeyword("in")) {
      ++position_;
      return ParseList(std::move(*left), negated);
    }
    if (IsKeyword("between")) {
      size_t between_column = Take().column;
      Type type = (*left)->type();
      if (type != Type::kNumber && type != Type::kDuration) {
        return ErrorAt(between_column,
                       "'between' needs a number or a duration, not " + std::string(TypeName(type)));
      }
      absl::StatusOr<NodePtr> low = ParseSum();
      if (!low.ok()) return low;
      if (!IsKeyword("and")) return Error("expected 'and' in 'between .. and ..'");
      ++position_;
      absl::StatusOr<NodePtr> high = ParseSum();
      if (!high.ok()) return high;
      if (absl::Status same = SameType(**left, **low, between_column, "compare"); !same.ok()) return same;
      if (absl::Status same = SameType(**left, **high, between_column, "compare"); !same.ok()) return same;
      return NodePtr(std::make_unique<Between>(std::move(*left), std::move(*low), std::move(*high)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseList(NodePtr value, bool negated) {
    if (absl::Status open = Expect("["); !open.ok()) return open;
    Type type = value->type();
    if (type != Type::kString && type != Type::kNumber && type != Type::kDuration) {
      return Error("'in' needs a string, number or duration on its left, not " + std::string(TypeName(type)));
    }
    std::vector<std::string> texts;
    std::vector<double> numbers;
    while (!IsSymbol("]")) {
      if (!texts.empty() || !numbers.empty()) {
        if (absl::Status comma = Expect(","); !comma.ok()) return comma;
      }
      const Lexeme& item = Peek();
      Token wanted = type == Type::kString ? Token::kString
                                           : (type == Type::kNumber ? Token::kNumber : Token::kDuration);
      if (item.kind != wanted) {
        return Error("the list holds " + std::string(TypeName(type)) + "s: expected " +
                     (type == Type::kString ? "a quoted string" : "a literal") +
                     (item.kind == Token::kEnd ? "" : " at '" + item.text + "'"));
      }
      if (type == Type::kString) {
        texts.push_back(item.text);
      } else {
        numbers.push_back(item.number);
      }
      ++position_;
    }
    ++position_;
    return NodePtr(std::make_unique<InList>(std::move(value), std::move(texts), std::move(numbers), negated));
  }

  absl::StatusOr<NodePtr> ParseSum() {
    absl::StatusOr<NodePtr> left = ParseProduct();
    if (!left.ok()) return left;
    while (IsSymbol("+") || IsSymbol("-")) {
      Op op = Peek().text == "+" ? Op::kAdd : Op::kSub;
      size_t column = Take().column;
      absl::StatusOr<NodePtr> right = ParseProduct();
      if (!right.ok()) return right;
      Type type = (*left)->type();
      if ((type != Type::kNumber && type != Type::kDuration) || (*right)->type() != type) {
        return ErrorAt(column, "cannot add or subtract " + std::string(TypeName(type)) + " and " +
                                   std::string(TypeName((*right)->type())));
      }
      left = NodePtr(std::make_unique<Arithmetic>(type, op, std::move(*left), std::move(*right)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseProduct() {
    absl::StatusOr<NodePtr> left = ParseUnary();
    if (!left.ok()) return left;
    while (IsSymbol("*") || IsSymbol("/")) {
      Op op = Peek().text == "*" ? Op::kMul : Op::kDiv;
      size_t column = Take().column;
      absl::StatusOr<NodePtr> right = ParseUnary();
      if (!right.ok()) return right;
      Type a = (*left)->type();
      Type b = (*right)->type();
      std::optional<Type> result;
      if (a == Type::kNumber && b == Type::kNumber) result = Type::kNumber;
      if (a == Type::kDuration && b == Type::kNumber) result = Type::kDuration;
      if (op == Op::kMul && a == Type::kNumber && b == Type::kDuration) result = Type::kDuration;
      if (op == Op::kDiv && a == Type::kDuration && b == Type::kDuration) result = Type::kNumber;
      if (!result) {
        return ErrorAt(column, std::string(op == Op::kMul ? "cannot multiply " : "cannot divide ") +
                                   std::string(TypeName(a)) + " by " + std::string(TypeName(b)));
      }
      left = NodePtr(std::make_unique<Arithmetic>(*result, op, std::move(*left), std::move(*right)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseUnary() {
    NestingGuard nesting(depth_);
    if (nesting.TooDeep()) return Error("nested more than 64 levels deep");
    if (IsSymbol("-")) {
      size_t column = Take().column;
      absl::StatusOr<NodePtr> operand = ParseUnary();
      if (!operand.ok()) return operand;
      Type type = (*operand)->type();
      if (type != Type::kNumber && type != Type::kDuration) {
        return ErrorAt(column, "cannot negate " + std::string(TypeName(type)));
      }
      return NodePtr(std::make_unique<Arithmetic>(type, Op::kSub, std::make_unique<Literal>(Number(type, 0)),
                                                  std::move(*operand)));
    }
    return ParsePrimary();
  }

  absl::StatusOr<NodePtr> ParsePrimary() {
    const Lexeme& lexeme = Peek();
    switch (lexeme.kind) {
      case Token::kEnd:
        return Error("expected a value before the end");
      case Token::kNumber:
        ++position_;
        return NodePtr(std::make_unique<Literal>(Number(Type::kNumber, lexeme.number)));
      case Token::kDuration:
        ++position_;
        return NodePtr(std::make_unique<Literal>(Number(Type::kDuration, lexeme.number)));
      case Token::kString:
        ++position_;
        return NodePtr(std::make_unique<Literal>(Text(""), lexeme.text));
      case Token::kSymbol: {
        if (lexeme.text != "(") return Error("expected a value, not '" + lexeme.text + "'");
        ++position_;
        absl::StatusOr<NodePtr> inner = ParseOr();
        if (!inner.ok()) return inner;
        if (absl::Status close = Expect(")"); !close.ok()) return close;
        return inner;
      }
      case Token::kIdent:
        break;
    }
    std::string lowered = Lower(lexeme.text);
    if (lowered == "true" || lowered == "false") {
      ++position_;
      return NodePtr(std::make_unique<Literal>(Bool(lowered == "true")));
    }
    static const char* const keywords[] = {"and", "or", "not", "in", "between"};
    for (const char* keyword : keywords) {
      if (lowered == keyword) return Error("expected a value, not '" + lexeme.text + "'");
    }
    size_t column = lexeme.column;
    std::string name = Take().text;
    if (IsSymbol("(")) {
      absl::StatusOr<NodePtr> call = ParseCall(name, column);
      if (!call.ok()) return call;
      return NodePtr(std::make_unique<Recorded>(std::move(*call), SourceFrom(column)));
    }
    absl::StatusOr<NodePtr> field = MakeField(name, column);
    if (!field.ok()) return field;
    return NodePtr(std::make_unique<Recorded>(std::move(*field), name));
  }

  absl::StatusOr<NodePtr> MakeField(const std::string& name, size_t column) const {
    if (auto found = Fields().find(name); found != Fields().end()) {
      return NodePtr(std::make_unique<Field>(found->second.type, found->second.getter));
    }
    if (name.starts_with("interactions.")) {
      std::string type = "INTERACTION_TYPE_" + name.substr(std::string_view("interactions.").size());
      for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      v1::InteractionType parsed;
      if (!v1::InteractionType_Parse(type, &parsed) || parsed == v1::INTERACTION_TYPE_UNSPECIFIED) {
        return ErrorAt(column, "unknown interaction type in '" + name + "'");
      }
      return NodePtr(std::make_unique<KeyedField>(
          Type::kNumber,
          [](const v1::Profile& profile, const std::string& key) {
            auto count = profile.interaction_counts().find(key);
            return Count(count == profile.interaction_counts().end() ? 0 : count->second);
          },
          type));
    }
    if (name.starts_with("custom.") && name.size() > std::string_view("custom.").size()) {
      return NodePtr(std::make_unique<KeyedField>(
          Type::kString,
          [](const v1::Profile& profile, const std::string& key) {
            auto value = profile.customer().custom_fields().find(key);
            if (value == profile.customer().custom_fields().end()) return Missing(Type::kString);
            return StringOrMissing(value->second);
          },
          name.substr(std::string_view("custom.").size())));
    }
    return ErrorAt(column, "unknown field '" + name + "'");
  }

  absl::StatusOr<std::vector<NodePtr>> ParseArguments() {
    std::vector<NodePtr> arguments;
    if (absl::Status open = Expect("("); !open.ok()) return open;
    while (!IsSymbol(")")) {
      if (!arguments.empty()) {
        if (absl::Status comma = Expect(","); !comma.ok()) return comma;
      }
      absl::StatusOr<NodePtr> argument = ParseOr();
      if (!argument.ok()) return argument.status();
      arguments.push_back(std::move(*argument));
    }
    ++position_;
    return arguments;
  }

  static const Literal* AsLiteral(const NodePtr& node, Type type) {
    const Literal* literal = dynamic_cast<const Literal*>(node.get());
    return literal != nullptr && literal->type() == type ? literal : nullptr;
  }

  absl::StatusOr<NodePtr> ParseCall(const std::string& name, size_t column) {
    absl::StatusOr<std::vector<NodePtr>> parsed = ParseArguments();
    if (!parsed.ok()) return parsed.status();
    std::vector<NodePtr>& args = *parsed;
    auto usage = [&](std::string_view form) { return ErrorAt(column, "usage: " + std::string(form)); };
    if (name == "since") {
      if (args.size() != 1 || args[0]->type() != Type::kTimestamp) return usage("since(<time field>)");
      return NodePtr(std::make_unique<Since>(std::move(args[0])));
    }
    if (name == "count_within" || name == "most_within") {
      const Literal* window = args.size() == 2 ? AsLiteral(args[1], Type::kDuration) : nullptr;
      if (window == nullptr || args[0]->type() != Type::kTimestampList) {
        return usage(name + "(<list of times>, <duration literal>)");
      }
      return NodePtr(
          std::make_unique<WithinCount>(std::move(args[0]), window->value().number, name == "most_within"));
    }
    if (name == "orders_in_quarters" || name == "amount_in_quarters") {
      const Literal* quarters = !args.empty() ? AsLiteral(args[0], Type::kNumber) : nullptr;
      const Literal* skip = args.size() == 2 ? AsLiteral(args[1], Type::kNumber) : nullptr;
      bool valid = quarters != nullptr && (args.size() == 1 || skip != nullptr) && args.size() <= 2 &&
                   quarters->value().number >= 1 && quarters->value().number <= 40 &&
                   (skip == nullptr || (skip->value().number >= 0 && skip->value().number <= 40));
      if (!valid) return usage(name + "(<quarters 1-40>[, <quarters to skip back 0-40>])");
      return NodePtr(std::make_unique<QuarterSum>(
          name == "amount_in_quarters", static_cast<int64_t>(quarters->value().number),
          skip == nullptr ? 0 : static_cast<int64_t>(skip->value().number)));
    }
    if (name == "coalesce") {
      if (args.size() < 2) return usage("coalesce(<value>, <value>, ...)");
      for (const NodePtr& arg : args) {
        if (arg->type() != args[0]->type()) return ErrorAt(column, "coalesce needs values of one type");
      }
      Type type = args[0]->type();
      return NodePtr(std::make_unique<Coalesce>(type, std::move(args)));
    }
    if (name == "exists") {
      if (args.size() != 1) return usage("exists(<field>)");
      return NodePtr(std::make_unique<Exists>(std::move(args[0])));
    }
    if (name == "number") {
      if (args.size() != 1 || args[0]->type() != Type::kString) return usage("number(<string field>)");
      return NodePtr(std::make_unique<ToNumber>(std::move(args[0])));
    }
    if (name == "tag") {
      const Literal* key = args.size() == 1 ? AsLiteral(args[0], Type::kString) : nullptr;
      if (key == nullptr) return usage("tag('<tag key>')");
      return NodePtr(std::make_unique<TagValue>(std::string(key->value().text)));
    }
    return ErrorAt(column, "unknown function '" + name + "'");
  }

  std::string_view source_;
  std::vector<Lexeme> lexemes_;
  size_t position_ = 0;
  int depth_ = 0;
};

}  // namespace

Expression::Expression(std::unique_ptr<Node> root, std::string text)
    : root_(std::move(root)), text_(std::move(text)) {}
Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Type Expression::type() const { return root_->type(); }

Value Expression::Evaluate(const EvalContext& context) const { return root_->Eval(context); }

absl::StatusOr<Expression> CompileExpression(std::string_view text) {
  absl::StatusOr<std::vector<Lexeme>> lexemes = Lex(text);
  if (!lexemes.ok()) return lexemes.status();
  Parser parser(text, std::move(*lexemes));
  absl::StatusOr<NodePtr> root = parser.ParseAll();
  if (!root.ok()) return root.status();
  return Expression(std::move(*root), std::string(text));
}

}  // namespace custflow::tagging
