#include "custflow/core/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace custflow::core {
namespace {

std::string EnvName(std::string_view text) {
  std::string out(text);
  absl::AsciiStrToUpper(&out);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

}  // namespace

absl::Status ParseDuration(std::string_view text, std::chrono::milliseconds& out) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  int64_t number = 0;
  if (digits == 0 || !absl::SimpleAtoi(std::string(text.substr(0, digits)), &number)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(text), "' is not a duration like 500ms, 5s, 2m or 1h"));
  }
  std::string_view unit = text.substr(digits);
  if (unit.empty() || unit == "ms") {
    out = std::chrono::milliseconds(number);
  } else if (unit == "s") {
    out = std::chrono::seconds(number);
  } else if (unit == "m") {
    out = std::chrono::minutes(number);
  } else if (unit == "h") {
    out = std::chrono::hours(number);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("'", std::string(text), "' has unknown unit '",
                                                   std::string(unit), "' (use ms, s, m or h)"));
  }
  return absl::OkStatus();
}

Config::Config(std::string_view service, Lookup lookup)
    : prefix_(absl::StrCat("CUSTFLOW_", EnvName(service), "_")), lookup_(std::move(lookup)) {
  if (!lookup_) lookup_ = [](const char* name) { return std::getenv(name); };
}

const char* Config::Raw(std::string_view name, std::string_view default_text, std::string_view description) {
  SettingInfo info{absl::StrCat(prefix_, EnvName(name)), absl::StrCat("CUSTFLOW_", EnvName(name)),
                   std::string(default_text), std::string(description), std::string(default_text)};
  const char* raw = lookup_(info.env_name.c_str());
  if (raw == nullptr) raw = lookup_(info.shared_env_name.c_str());
  if (raw != nullptr) info.value = raw;
  settings_.push_back(std::move(info));
  return raw;
}

void Config::Invalid(std::string_view reason) {
  errors_.push_back(absl::StrCat(settings_.back().env_name, ": ", std::string(reason)));
}

std::string Config::String(std::string_view name, std::string_view default_value,
                           std::string_view description) {
  const char* raw = Raw(name, default_value, description);
  return raw != nullptr ? std::string(raw) : std::string(default_value);
}

std::string Config::Choice(std::string_view name, std::string_view default_value,
                           const std::vector<std::string_view>& allowed, std::string_view description) {
  std::string choices =
      absl::StrJoin(allowed, ", ", [](std::string* out, std::string_view v) { out->append(v); });
  std::string value =
      String(name, default_value, absl::StrCat(std::string(description), " One of: ", choices, "."));
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  Invalid(absl::StrCat("'", value, "' is not one of: ", choices));
  return std::string(default_value);
}

int64_t Config::Int(std::string_view name, int64_t default_value, std::string_view description) {
  const char* raw = Raw(name, absl::StrCat(default_value), description);
  if (raw == nullptr) return default_value;
  int64_t value = 0;
  if (!absl::SimpleAtoi(raw, &value)) {
    Invalid(absl::StrCat("'", raw, "' is not an integer"));
    return default_value;
  }
  return value;
}

bool Config::Bool(std::string_view name, bool default_value, std::string_view description) {
  const char* raw = Raw(name, default_value ? "true" : "false", description);
  if (raw == nullptr) return default_value;
  bool value = false;
  if (!absl::SimpleAtob(raw, &value)) {
    Invalid(absl::StrCat("'", raw, "' is not a boolean (true/false)"));
    return default_value;
  }
  return value;
}

std::chrono::milliseconds Config::Duration(std::string_view name, std::chrono::milliseconds default_value,
                                           std::string_view description) {
  const char* raw = Raw(name, absl::StrCat(default_value.count(), "ms"), description);
  if (raw == nullptr) return default_value;
  std::chrono::milliseconds value{};
  if (absl::Status parsed = ParseDuration(raw, value); !parsed.ok()) {
    Invalid(std::string(parsed.message()));
    return default_value;
  }
  return value;
}

absl::Status Config::status() const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("invalid configuration: ", absl::StrJoin(errors_, "; ")));
}

std::string Config::HelpText() const {
  std::string out = "Environment variables (each also read as CUSTFLOW_<NAME> when unset):\n";
  for (const SettingInfo& s : settings_) {
    absl::StrAppend(&out, "  ", s.env_name,
                    "  (default: ", s.default_value.empty() ? "empty" : s.default_value, ")\n      ",
                    s.description, "\n");
  }
  return out;
}

}  // namespace custflow::core
