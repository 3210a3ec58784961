// Configuration from environment variables (twelve-factor). Each setting is declared
// once with a name, a default and a description; the same declarations feed `--help`
// and the configuration table in docs/CONFIGURATION.md.
//
// A setting NAME of service SERVICE is read from CUSTFLOW_<SERVICE>_<NAME>, falling back
// to CUSTFLOW_<NAME> so that settings every service shares (the Kafka brokers, say) can be
// given once for all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace custflow::core {

// One declared setting, for help text and docs.
struct SettingInfo {
  std::string env_name;         // CUSTFLOW_<SERVICE>_<NAME>
  std::string shared_env_name;  // CUSTFLOW_<NAME>
  std::string default_value;
  std::string description;
  std::string value;  // the effective value
};

class Config {
 public:
  using Lookup = std::function<const char*(const char*)>;

  // `service` is upper-cased into the variable prefix; `lookup` reads a variable
  // (std::getenv unless a test passes another).
  explicit Config(std::string_view service, Lookup lookup = nullptr);

  std::string String(std::string_view name, std::string_view default_value, std::string_view description);
  int64_t Int(std::string_view name, int64_t default_value, std::string_view description);
  // One of `allowed`; another value is an error and gives the default.
  std::string Choice(std::string_view name, std::string_view default_value,
                     const std::vector<std::string_view>& allowed, std::string_view description);
  bool Bool(std::string_view name, bool default_value, std::string_view description);
  // Durations are written with a unit: "250ms", "5s", "2m", "1h".
  std::chrono::milliseconds Duration(std::string_view name, std::chrono::milliseconds default_value,
                                     std::string_view description);

  // OK, or every invalid value with its variable name and the reason.
  absl::Status status() const;
  const std::vector<SettingInfo>& settings() const { return settings_; }
  // A table of every declared setting: variable, default, description.
  std::string HelpText() const;

 private:
  // Records the declaration; returns the raw text, or nullptr when the variable is unset.
  const char* Raw(std::string_view name, std::string_view default_text, std::string_view description);
  void Invalid(std::string_view reason);

  std::string prefix_;
  Lookup lookup_;
  std::vector<SettingInfo> settings_;
  std::vector<std::string> errors_;
};

// Parses "250ms", "5s", "2m", "1h" (a bare number means milliseconds).
absl::Status ParseDuration(std::string_view text, std::chrono::milliseconds& out);

}  // namespace custflow::core
