#include "custflow/tagging/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <utility>

#include "custflow/yaml/known_keys.h"

namespace custflow::tagging {
namespace {

// Where `key` of `map` is, or where `map` is when the key is absent.
YAML::Mark At(const YAML::Node& map, const char* key) {
  YAML::Node node = map[key];
  return node.IsDefined() ? node.Mark() : map.Mark();
}

class Reader {
 public:
  explicit Reader(std::string_view file_name) : file_(file_name) {}

  std::vector<v1::RuleFileError> TakeErrors() { return std::move(errors_); }
  bool ok() const { return errors_.empty(); }

  void Error(const YAML::Mark& mark, std::string reason) {
    v1::RuleFileError& error = errors_.emplace_back();
    error.set_file(file_);
    if (!mark.is_null()) {
      error.set_line(static_cast<uint32_t>(mark.line + 1));
      error.set_column(static_cast<uint32_t>(mark.column + 1));
    }
    error.set_reason(std::move(reason));
  }

  // Reports keys of `map` other than `known`; false when `map` is not a mapping.
  bool CheckMap(const YAML::Node& map, std::string_view what, std::initializer_list<std::string_view> known) {
    return yaml::CheckKnownKeys(map, what, known,
                                [this](const YAML::Mark& mark, std::string reason) { Error(mark, reason); });
  }

  std::optional<std::string> Text(const YAML::Node& map, const char* key, std::string_view what,
                                  bool required) {
    YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) {
      if (required) Error(map.Mark(), std::string(what) + " has no '" + key + "'");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a single value");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<double> NumberAt(const YAML::Node& node, std::string_view key) {
    if (!node.IsScalar()) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a number");
      return std::nullopt;
    }
    const std::string& text = node.Scalar();
    double number = 0;
    auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || stop != text.data() + text.size() || !std::isfinite(number)) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a number, not '" + text + "'");
      return std::nullopt;
    }
    return number;
  }

  uint32_t Version(const YAML::Node& map) {
    YAML::Node node = map["version"];
    if (!node.IsDefined()) return 1;
    std::optional<double> number = NumberAt(node, "version");
    if (!number) return 1;
    if (*number < 1 || *number != std::floor(*number) || *number > 1e9) {
      Error(node.Mark(), "'version' must be a whole number from 1");
      return 1;
    }
    return static_cast<uint32_t>(*number);
  }

  std::optional<Expression> Compile(const YAML::Node& map, const char* key, std::string_view what) {
    std::optional<std::string> text = Text(map, key, what, true);
    if (!text) return std::nullopt;
    absl::StatusOr<Expression> compiled = CompileExpression(*text);
    if (!compiled.ok()) {
      Error(map[key].Mark(), "in '" + std::string(key) + "': " + std::string(compiled.status().message()));
      return std::nullopt;
    }
    return std::move(*compiled);
  }

  std::optional<Expression> CompileCondition(const YAML::Node& map, const char* key, std::string_view what) {
    std::optional<Expression> compiled = Compile(map, key, what);
    if (compiled && compiled->type() != Type::kBool) {
      Error(map[key].Mark(),
            "'" + std::string(key) + "' must be a condition, not " + std::string(TypeName(compiled->type())));
      return std::nullopt;
    }
    return compiled;
  }

  void CheckId(const YAML::Node& map, const std::string& id) {
    bool valid = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!valid) Error(At(map, "id"), "id '" + id + "' may hold only letters, digits, '-', '_' and '.'");
    if (!ids_.insert(id).second) Error(At(map, "id"), "id '" + id + "' is used twice");
  }

  std::optional<ScoreDef> ReadScore(const YAML::Node& node) {
    if (!CheckMap(
            node, "a score",
            {"id", "key", "version", "description", "applies", "profile_grade", "indicators", "grades"})) {
      return std::nullopt;
    }
    size_t errors_before = errors_.size();
    ScoreDef score;
    score.id = Text(node, "id", "a score", true).value_or("");
    CheckId(node, score.id);
    score.key = Text(node, "key", "score '" + score.id + "'", true).value_or("");
    if (score.key.empty() || score.key.find_first_of(": \t") != std::string::npos) {
      Error(At(node, "key"), "score '" + score.id + "': key '" + score.key + "' must be a word without ':'");
    }
    score.version = Version(node);
    score.description = Text(node, "description", "a score", false).value_or("");
    if (node["applies"].IsDefined()) score.applies = CompileCondition(node, "applies", "a score");
    if (YAML::Node grade = node["profile_grade"]; grade.IsDefined()) {
      if (!grade.IsScalar() || (grade.Scalar() != "true" && grade.Scalar() != "false")) {
        Error(grade.Mark(), "'profile_grade' must be true or false");
      } else {
        score.profile_grade = grade.Scalar() == "true";
      }
    }
    YAML::Node indicators = node["indicators"];
    if (!indicators.IsSequence() || indicators.size() == 0) {
      Error(indicators.IsDefined() ? indicators.Mark() : node.Mark(),
            "score '" + score.id + "' needs a list of indicators");
    } else {
      for (const YAML::Node& item : indicators) {
        if (std::optional<IndicatorDef> indicator = ReadIndicator(item))
          score.indicators.push_back(std::move(*indicator));
      }
    }
    YAML::Node grades = node["grades"];
    if (!grades.IsSequence() || grades.size() == 0) {
      Error(grades.IsDefined() ? grades.Mark() : node.Mark(),
            "score '" + score.id + "' needs a list of grades");
    } else {
      for (const YAML::Node& item : grades) {
        if (!CheckMap(item, "a grade", {"min", "grade"})) continue;
        GradeDef grade;
        grade.grade = Text(item, "grade", "a grade", true).value_or("");
        if (grade.grade.find_first_of(": \t") != std::string::npos) {
          Error(At(item, "grade"), "grade '" + grade.grade + "' must not contain ':' or spaces");
        }
        if (std::optional<double> min =
                item["min"].IsDefined() ? NumberAt(item["min"], "min") : std::nullopt) {
          grade.min = *min;
        } else if (!item["min"].IsDefined()) {
          Error(item.Mark(), "a grade needs 'min' (score 0-100)");
        }
        if (!score.grades.empty() && grade.min >= score.grades.back().min) {
          Error(item.Mark(), "grades must be listed from the highest 'min' down");
        }
        score.grades.push_back(std::move(grade));
      }
    }
    if (errors_.size() != errors_before) return std::nullopt;
    return score;
  }

  std::optional<IndicatorDef> ReadIndicator(const YAML::Node& node) {
    if (!CheckMap(node, "an indicator", {"name", "weight", "value", "bands", "missing"})) return std::nullopt;
    size_t errors_before = errors_.size();
    std::string name = Text(node, "name", "an indicator", true).value_or("");
    double weight = 0;
    if (std::optional<double> number =
            node["weight"].IsDefined() ? NumberAt(node["weight"], "weight") : std::nullopt) {
      if (*number <= 0) Error(node["weight"].Mark(), "'weight' must be above 0");
      weight = *number;
    } else if (!node["weight"].IsDefined()) {
      Error(node.Mark(), "indicator '" + name + "' has no 'weight'");
    }
    std::optional<Expression> value = Compile(node, "value", "indicator '" + name + "'");
    std::optional<double> missing_points;
    if (YAML::Node missing = node["missing"];
        missing.IsDefined() && !(missing.IsScalar() && missing.Scalar() == "skip")) {
      missing_points = NumberAt(missing, "missing");
    }
    std::vector<Band> read_bands;
    YAML::Node bands = node["bands"];
    if (!bands.IsSequence() || bands.size() == 0) {
      Error(bands.IsDefined() ? bands.Mark() : node.Mark(), "indicator '" + name + "' needs a list of bands");
    } else if (value) {
      for (const YAML::Node& item : bands) {
        if (std::optional<Band> band = ReadBand(item, value->type())) read_bands.push_back(std::move(*band));
      }
    }
    if (errors_.size() != errors_before || !value) return std::nullopt;
    return IndicatorDef{.name = std::move(name),
                        .weight = weight,
                        .value = std::move(*value),
                        .bands = std::move(read_bands),
                        .missing_points = missing_points};
  }

  std::optional<Value> BandBound(const YAML::Node& node, std::string_view key, Type type) {
    if (!node.IsScalar()) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a single value");
      return std::nullopt;
    }
    absl::StatusOr<Expression> literal = CompileExpression(node.Scalar());
    if (!literal.ok() || literal->type() != type || (type != Type::kNumber && type != Type::kDuration)) {
      Error(node.Mark(), "'" + std::string(key) + "' must be " + std::string(TypeName(type)) +
                             " like the value" + (type == Type::kDuration ? " (e.g. 30d)" : ""));
      return std::nullopt;
    }
    v1::Profile empty;
    Value bound =
        literal->Evaluate(EvalContext{.profile = empty, .now = 0, .tags = nullptr, .inputs = nullptr});
    if (bound.missing) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a constant");
      return std::nullopt;
    }
    return bound;
  }

  std::optional<Band> ReadBand(const YAML::Node& node, Type type) {
    if (!CheckMap(node, "a band", {"min", "max", "in", "points"})) return std::nullopt;
    size_t errors_before = errors_.size();
    Band band;
    std::string text;
    if (node["min"].IsDefined()) {
      band.min = BandBound(node["min"], "min", type);
      text += ">= " + node["min"].Scalar();
    }
    if (node["max"].IsDefined()) {
      band.max = BandBound(node["max"], "max", type);
      text += std::string(text.empty() ? "" : ", ") + "<= " + node["max"].Scalar();
    }
    if (YAML::Node in = node["in"]; in.IsDefined()) {
      if (type != Type::kString || !in.IsSequence()) {
        Error(in.Mark(), "'in' takes a list of strings, for a string value");
      } else {
        for (const YAML::Node& item : in) band.in.push_back(item.Scalar());
        text += std::string(text.empty() ? "" : ", ") + "in [" + [&] {
          std::string list;
          for (const std::string& item : band.in) list += (list.empty() ? "" : ", ") + item;
          return list;
        }() + "]";
      }
    }
    if (YAML::Node points = node["points"]; !points.IsDefined()) {
      Error(node.Mark(), "a band needs 'points' (0-100)");
    } else if (std::optional<double> number = NumberAt(points, "points")) {
      if (*number < 0 || *number > 100) Error(points.Mark(), "'points' must be within 0-100");
      band.points = *number;
    }
    band.text = (text.empty() ? "otherwise" : text) + ": " +
                FormatValue(Value{.type = Type::kNumber, .number = band.points});
    if (errors_.size() != errors_before) return std::nullopt;
    return band;
  }

  std::optional<TagRuleDef> ReadRule(const YAML::Node& node) {
    if (!CheckMap(node, "a rule", {"id", "tag", "version", "description", "when"})) return std::nullopt;
    size_t errors_before = errors_.size();
    std::string id = Text(node, "id", "a rule", true).value_or("");
    CheckId(node, id);
    std::string tag = Text(node, "tag", "rule '" + id + "'", true).value_or("");
    size_t colon = tag.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == tag.size() ||
        tag.find_first_of(" \t()") != std::string::npos || tag.find(':', colon + 1) != std::string::npos) {
      Error(At(node, "tag"),
            "rule '" + id + "': tag '" + tag + "' must be '<key>:<value>' without spaces or parentheses");
    }
    uint32_t version = Version(node);
    std::string description = Text(node, "description", "a rule", false).value_or("");
    std::optional<Expression> condition = CompileCondition(node, "when", "rule '" + id + "'");
    if (errors_.size() != errors_before || !condition) return std::nullopt;
    return TagRuleDef{.id = std::move(id),
                      .version = version,
                      .key = tag.substr(0, colon),
                      .value = tag.substr(colon + 1),
                      .tag = tag,
                      .description = std::move(description),
                      .condition = std::move(*condition)};
  }

 private:
  std::string file_;
  std::vector<v1::RuleFileError> errors_;
  std::set<std::string> ids_;
};

}  // namespace

RuleFileResult ParseRuleFile(std::string_view text, std::string_view file_name) {
  Reader reader(file_name);
  RuleFileResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    reader.Error(error.mark, error.msg);
    result.errors = reader.TakeErrors();
    return result;
  }
  std::string version;
  std::vector<ScoreDef> scores;
  std::vector<TagRuleDef> rules;
  try {
    if (reader.CheckMap(root, "the rule file", {"version", "scores", "rules"})) {
      version = reader.Text(root, "version", "the rule file", true).value_or("");
      if (YAML::Node list = root["scores"]; list.IsDefined()) {
        if (!list.IsSequence()) {
          reader.Error(list.Mark(), "'scores' must be a list");
        } else {
          for (const YAML::Node& item : list) {
            if (std::optional<ScoreDef> score = reader.ReadScore(item)) scores.push_back(std::move(*score));
          }
        }
      }
      YAML::Node list = root["rules"];
      if (!list.IsSequence()) {
        reader.Error(list.IsDefined() ? list.Mark() : root.Mark(), "the rule file needs a list 'rules'");
      } else {
        std::set<std::string> score_keys;
        for (const ScoreDef& score : scores) score_keys.insert(score.key);
        for (const YAML::Node& item : list) {
          std::optional<TagRuleDef> rule = reader.ReadRule(item);
          if (!rule) continue;
          if (score_keys.contains(rule->key)) {
            reader.Error(At(item, "tag"), "tag key '" + rule->key + "' belongs to a score");
            continue;
          }
          rules.push_back(std::move(*rule));
        }
      }
    }
  } catch (const YAML::Exception& error) {  // a node of an unexpected shape
    reader.Error(error.mark, error.msg);
  }
  if (!reader.ok()) {
    result.errors = reader.TakeErrors();
    return result;
  }
  result.rules.emplace(std::move(version), std::move(scores), std::move(rules));
  return result;
}

absl::StatusOr<std::string> ReadRuleFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError("cannot read the file");
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

RuleFileResult LoadRuleFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadRuleFile(path);
  if (!text.ok()) {
    RuleFileResult result;
    v1::RuleFileError& error = result.errors.emplace_back();
    error.set_file(path);
    error.set_reason(std::string(text.status().message()));
    return result;
  }
  return ParseRuleFile(*text, path);
}

std::string FormatErrors(const std::vector<v1::RuleFileError>& errors) {
  std::string out;
  for (const v1::RuleFileError& error : errors) {
    if (!out.empty()) out += '\n';
    out += error.file();
    if (error.line() > 0) out += ":" + std::to_string(error.line()) + ":" + std::to_string(error.column());
    out += ": " + error.reason();
  }
  return out;
}

}  // namespace custflow::tagging
