// Tag expressions: a tokenizer, a recursive-descent parser that reports the column of the
// first problem, evaluation over a customer's sorted tags, and canonical printing.
#include "custflow/tagging/tag_expression.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace custflow::tagging {
namespace {

// Deep enough for any hand-written segment, shallow enough that a hostile request cannot
// exhaust the stack.
constexpr int kMaxDepth = 64;

struct Token {
  enum class Kind { kWord, kOpen, kClose, kEnd };
  Kind kind;
  std::string_view text;
  // 1-based, in characters (UTF-8 code points), as an editor shows it.
  size_t column;
};

bool IsKeyword(const Token& token, std::string_view keyword) {
  return token.kind == Token::Kind::kWord && absl::AsciiStrToLower(std::string(token.text)) == keyword;
}

// The length of the whitespace at the start of `rest`: ASCII whitespace or the ideographic
// space U+3000 that Chinese input methods type.
size_t WhitespaceLength(std::string_view rest) {
  if (absl::ascii_isspace(static_cast<unsigned char>(rest[0]))) return 1;
  if (rest.starts_with("\u3000")) return std::string_view("\u3000").size();
  return 0;
}

bool IsContinuationByte(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t column = 1;
  size_t i = 0;
  auto advance = [&](size_t bytes) {
    for (size_t end = i + bytes; i < end; ++i) {
      if (!IsContinuationByte(text[i])) ++column;
    }
  };
  while (i < text.size()) {
    if (size_t space = WhitespaceLength(text.substr(i)); space > 0) {
      advance(space);
    } else if (text[i] == '(' || text[i] == ')') {
      tokens.push_back(
          {text[i] == '(' ? Token::Kind::kOpen : Token::Kind::kClose, text.substr(i, 1), column});
      advance(1);
    } else {
      const size_t start = i;
      const size_t start_column = column;
      while (i < text.size() && text[i] != '(' && text[i] != ')' && WhitespaceLength(text.substr(i)) == 0) {
        advance(1);
      }
      tokens.push_back({Token::Kind::kWord, text.substr(start, i - start), start_column});
    }
  }
  tokens.push_back({Token::Kind::kEnd, "", column});
  return tokens;
}

absl::Status ErrorAt(const Token& token, const std::string& reason) {
  return absl::InvalidArgumentError("column " + std::to_string(token.column) + ": " + reason);
}

}  // namespace

class TagExpressionParser {
 public:
  using Node = TagExpression::Node;

  explicit TagExpressionParser(std::string_view text) : tokens_(Tokenize(text)) {}

  absl::StatusOr<TagExpression> Parse() {
    if (Peek().kind == Token::Kind::kEnd) return ErrorAt(Peek(), "the expression is empty");
    absl::StatusOr<Node> root = ParseOr("", 0);
    if (!root.ok()) return root.status();
    const Token& next = Peek();
    if (next.kind == Token::Kind::kClose) return ErrorAt(next, "')' without a matching '('");
    if (next.kind != Token::Kind::kEnd) return ErrorAt(next, Missing("'and' or 'or'", next));
    return TagExpression(*std::move(root));
  }

 private:
  // `after` names the token before the operand about to be parsed, for error messages
  // ("" at the start of the expression).
  absl::StatusOr<Node> ParseOr(std::string_view after, int depth) {
    return ParseChain(Node::Kind::kOr, "or", after, depth,
                      [this](std::string_view operand_after, int d) { return ParseAnd(operand_after, d); });
  }

  absl::StatusOr<Node> ParseAnd(std::string_view after, int depth) {
    return ParseChain(Node::Kind::kAnd, "and", after, depth,
                      [this](std::string_view operand_after, int d) { return ParseUnary(operand_after, d); });
  }

  // operand (keyword operand)*, flattened into one node of `kind` when there are several.
  template <typename ParseOperand>
  absl::StatusOr<Node> ParseChain(Node::Kind kind, std::string_view keyword, std::string_view after,
                                  int depth, ParseOperand parse_operand) {
    absl::StatusOr<Node> first = parse_operand(after, depth);
    if (!first.ok()) return first.status();
    if (!IsKeyword(Peek(), keyword)) return first;
    Node chain{.kind = kind, .tag = "", .operands = {}};
    AppendOperand(chain, *std::move(first));
    while (IsKeyword(Peek(), keyword)) {
      ++next_;
      absl::StatusOr<Node> operand = parse_operand(keyword, depth);
      if (!operand.ok()) return operand.status();
      AppendOperand(chain, *std::move(operand));
    }
    return chain;
  }

  absl::StatusOr<Node> ParseUnary(std::string_view after, int depth) {
    const Token& token = Peek();
    if (depth >= kMaxDepth) {
      return ErrorAt(token, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    if (IsKeyword(token, "not")) {
      ++next_;
      absl::StatusOr<Node> operand = ParseUnary("not", depth + 1);
      if (!operand.ok()) return operand.status();
      Node negation{.kind = Node::Kind::kNot, .tag = "", .operands = {}};
      negation.operands.push_back(*std::move(operand));
      return negation;
    }
    if (token.kind == Token::Kind::kOpen) {
      ++next_;
      absl::StatusOr<Node> inner = ParseOr("(", depth + 1);
      if (!inner.ok()) return inner.status();
      const Token& close = Peek();
      if (close.kind == Token::Kind::kEnd) return ErrorAt(token, "'(' is not closed");
      if (close.kind != Token::Kind::kClose) return ErrorAt(close, Missing("'and', 'or' or ')'", close));
      ++next_;
      return inner;
    }
    if (token.kind != Token::Kind::kWord || IsKeyword(token, "and") || IsKeyword(token, "or")) {
      std::string reason =
          after.empty() ? "expected a tag" : "expected a tag after '" + std::string(after) + "'";
      if (token.kind != Token::Kind::kEnd) reason += ", got '" + std::string(token.text) + "'";
      return ErrorAt(token, reason);
    }
    ++next_;
    return Node{.kind = Node::Kind::kTag, .tag = std::string(token.text), .operands = {}};
  }

  // `a and (b and c)` is one chain of three: same meaning, one canonical form.
  static void AppendOperand(Node& chain, Node operand) {
    if (operand.kind != chain.kind) {
      chain.operands.push_back(std::move(operand));
      return;
    }
    std::move(operand.operands.begin(), operand.operands.end(), std::back_inserter(chain.operands));
  }

  static std::string Missing(std::string_view expected, const Token& found) {
    return "expected " + std::string(expected) + " before '" + std::string(found.text) + "'";
  }

  const Token& Peek() const { return tokens_[next_]; }

  std::vector<Token> tokens_;
  size_t next_ = 0;
};

absl::StatusOr<TagExpression> ParseTagExpression(std::string_view text) {
  return TagExpressionParser(text).Parse();
}

namespace {

using Node = TagExpression::Node;

bool Evaluate(const Node& node, std::span<const std::string> sorted_tags) {
  auto holds = [sorted_tags](const Node& operand) { return Evaluate(operand, sorted_tags); };
  switch (node.kind) {
    case Node::Kind::kTag:
      return std::binary_search(sorted_tags.begin(), sorted_tags.end(), node.tag);
    case Node::Kind::kNot:
      return !Evaluate(node.operands.front(), sorted_tags);
    case Node::Kind::kAnd:
      return std::all_of(node.operands.begin(), node.operands.end(), holds);
    case Node::Kind::kOr:
      return std::any_of(node.operands.begin(), node.operands.end(), holds);
  }
  return false;
}

// Sorted and unique.
std::vector<std::string> Required(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kTag:
      return {node.tag};
    case Node::Kind::kNot:
      return {};
    case Node::Kind::kAnd: {
      std::vector<std::string> all;
      for (const Node& operand : node.operands) {
        std::vector<std::string> more = Required(operand);
        all.insert(all.end(), more.begin(), more.end());
      }
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      return all;
    }
    case Node::Kind::kOr: {
      std::vector<std::string> common = Required(node.operands.front());
      for (size_t i = 1; i < node.operands.size() && !common.empty(); ++i) {
        std::vector<std::string> more = Required(node.operands[i]);
        std::vector<std::string> both;
        std::set_intersection(common.begin(), common.end(), more.begin(), more.end(),
                              std::back_inserter(both));
        common = std::move(both);
      }
      return common;
    }
  }
  return {};
}

// Binding strength: an operand that binds more weakly than its parent needs parentheses.
int Precedence(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::kOr:
      return 0;
    case Node::Kind::kAnd:
      return 1;
    case Node::Kind::kNot:
    case Node::Kind::kTag:
      return 2;
  }
  return 2;
}

void Print(const Node& node, std::string& out);

void PrintOperand(const Node& operand, Node::Kind parent, std::string& out) {
  const bool parenthesize = Precedence(operand.kind) < Precedence(parent);
  if (parenthesize) out += '(';
  Print(operand, out);
  if (parenthesize) out += ')';
}

void Print(const Node& node, std::string& out) {
  switch (node.kind) {
    case Node::Kind::kTag:
      out += node.tag;
      return;
    case Node::Kind::kNot:
      out += "not ";
      PrintOperand(node.operands.front(), node.kind, out);
      return;
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      const char* separator = node.kind == Node::Kind::kAnd ? " and " : " or ";
      for (size_t i = 0; i < node.operands.size(); ++i) {
        if (i > 0) out += separator;
        PrintOperand(node.operands[i], node.kind, out);
      }
      return;
    }
  }
}

}  // namespace

bool TagExpression::Matches(std::span<const std::string> sorted_tags) const {
  return Evaluate(root_, sorted_tags);
}

std::vector<std::string> TagExpression::RequiredTags() const { return Required(root_); }

std::string TagExpression::ToString() const {
  std::string out;
  Print(root_, out);
  return out;
}

}  // namespace custflow::tagging
