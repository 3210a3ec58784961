// Rule files: the YAML form of a rule set (docs/TAGGING.md describes it). Loading checks
// everything a rule set needs before anything is put in force: YAML syntax, known keys
// (a misspelt key is an error, not a silently ignored rule), unique ids, tag and key
// syntax, conditions that compile to a condition, bands and grades in order. Every
// problem is reported with file, line, column and reason, all of them at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/tagging/rule_set.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::tagging {

struct RuleFileResult {
  std::optional<RuleSet> rules;  // set when `errors` is empty
  std::vector<v1::RuleFileError> errors;
};

// Parses the YAML `text`; `file_name` names it in errors.
RuleFileResult ParseRuleFile(std::string_view text, std::string_view file_name);

// The text of the file at `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<std::string> ReadRuleFile(const std::string& path);

// Reads and parses the file at `path`.
RuleFileResult LoadRuleFile(const std::string& path);

// "file:line:column: reason", one line per error.
std::string FormatErrors(const std::vector<v1::RuleFileError>& errors);

// The default rule set that ships with custflow (data/rules/default.yaml, built in).
std::string_view DefaultRuleFileText();

}  // namespace custflow::tagging
