// Tag expressions: the boolean combinations of customer tags that name a segment, such as
// `value:high and not follow-up:high` or `(region:east or region:south) and grade:A`.
//
//   expr  := or
//   or    := and ("or" and)*
//   and   := unary ("and" unary)*
//   unary := "not" unary | "(" expr ")" | TAG
//
// Keywords are case-insensitive; a TAG is any run of characters other than whitespace and
// parentheses, so "region:华东" and "follow-up:low" need no quoting. Parsing is pure and
// bounded (nesting depth), since expressions arrive from clients.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace custflow::tagging {

class TagExpression {
 public:
  // Whether a customer with `sorted_tags` (sorted, as std::sort orders strings) is in the
  // segment.
  bool Matches(std::span<const std::string> sorted_tags) const;

  // The tags every matching customer has, sorted and unique: a segment can be found by
  // walking the customers of any one of them. Empty when no single tag is necessary, as
  // for `not a` or `a or b`; for `a and (b or c)` it is {a}, for `(a and b) or (a and c)`
  // also {a}.
  std::vector<std::string> RequiredTags() const;

  // The canonical text: lower-case keywords, single spaces, parentheses only where the
  // precedence (not, then and, then or) needs them. Parsing it gives the same expression.
  std::string ToString() const;

  // The parsed tree; only ParseTagExpression builds one.
  struct Node {
    enum class Kind { kTag, kNot, kAnd, kOr };
    Kind kind;
    // Set for kTag.
    std::string tag;
    // One for kNot; two or more for kAnd and kOr.
    std::vector<Node> operands;
  };

 private:
  explicit TagExpression(Node root) : root_(std::move(root)) {}

  friend class TagExpressionParser;
  Node root_;
};

// Parses `text`. A malformed expression gives InvalidArgument naming the 1-based column
// (in characters) and the reason, e.g. "column 12: expected a tag after 'and'".
absl::StatusOr<TagExpression> ParseTagExpression(std::string_view text);

}  // namespace custflow::tagging
