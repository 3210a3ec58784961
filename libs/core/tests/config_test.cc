#include "custflow/core/config.h"

#include <gtest/gtest.h>

#include <map>

namespace custflow::core {
namespace {

Config::Lookup From(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

TEST(Config, UnsetVariablesGiveDefaults) {
  Config config("ingest", From({}));
  EXPECT_EQ(config.String("KAFKA_BROKERS", "127.0.0.1:9092", "brokers"), "127.0.0.1:9092");
  EXPECT_EQ(config.Int("BATCH", 100, "batch"), 100);
  EXPECT_TRUE(config.Bool("ENABLED", true, "enabled"));
  EXPECT_EQ(config.Duration("TIMEOUT", std::chrono::seconds(5), "timeout"), std::chrono::seconds(5));
  EXPECT_TRUE(config.status().ok());
}

TEST(Config, ServiceVariableWinsOverSharedVariable) {
  Config config("ingest",
                From({{"CUSTFLOW_INGEST_KAFKA_BROKERS", "a:1"}, {"CUSTFLOW_KAFKA_BROKERS", "b:2"}}));
  EXPECT_EQ(config.String("KAFKA_BROKERS", "", "brokers"), "a:1");
}

TEST(Config, SharedVariableAppliesWhenServiceVariableIsUnset) {
  Config config("profile", From({{"CUSTFLOW_KAFKA_BROKERS", "b:2"}}));
  EXPECT_EQ(config.String("KAFKA_BROKERS", "", "brokers"), "b:2");
}

TEST(Config, InvalidValuesAreReportedWithVariableNameAndReason) {
  Config config("reporting", From({{"CUSTFLOW_REPORTING_BATCH", "lots"},
                                   {"CUSTFLOW_REPORTING_FLUSH", "5 parsecs"},
                                   {"CUSTFLOW_REPORTING_DEBUG", "maybe"},
                                   {"CUSTFLOW_REPORTING_LOG_LEVEL", "loud"}}));
  EXPECT_EQ(config.Int("BATCH", 7, ""), 7);
  config.Duration("FLUSH", std::chrono::seconds(1), "");
  config.Bool("DEBUG", false, "");
  EXPECT_EQ(config.Choice("LOG_LEVEL", "info", {"debug", "info"}, ""), "info");
  std::string message(config.status().message());
  EXPECT_NE(message.find("CUSTFLOW_REPORTING_BATCH: 'lots' is not an integer"), std::string::npos) << message;
  EXPECT_NE(message.find("CUSTFLOW_REPORTING_FLUSH"), std::string::npos) << message;
  EXPECT_NE(message.find("CUSTFLOW_REPORTING_DEBUG: 'maybe' is not a boolean"), std::string::npos) << message;
  EXPECT_NE(message.find("CUSTFLOW_REPORTING_LOG_LEVEL: 'loud' is not one of: debug, info"),
            std::string::npos)
      << message;
}

TEST(Config, HelpTextListsEveryDeclaredSetting) {
  Config config("tagging", From({}));
  config.String("RULES_FILE", "rules.json", "Where the rules are.");
  config.Int("WORKERS", 2, "How many workers.");
  std::string help = config.HelpText();
  EXPECT_NE(help.find("CUSTFLOW_TAGGING_RULES_FILE  (default: rules.json)"), std::string::npos) << help;
  EXPECT_NE(help.find("How many workers."), std::string::npos) << help;
}

struct DurationCase {
  std::string text;
  bool ok;
  std::chrono::milliseconds expected;
};

class ParseDurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(ParseDurationTest, ParsesUnitsOrRejects) {
  std::chrono::milliseconds out{};
  absl::Status status = ParseDuration(GetParam().text, out);
  EXPECT_EQ(status.ok(), GetParam().ok) << GetParam().text << ": " << status;
  if (GetParam().ok) {
    EXPECT_EQ(out, GetParam().expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseDurationTest,
    ::testing::Values(DurationCase{.text = "250ms", .ok = true, .expected = std::chrono::milliseconds(250)},
                      DurationCase{.text = "5s", .ok = true, .expected = std::chrono::seconds(5)},
                      DurationCase{.text = "2m", .ok = true, .expected = std::chrono::minutes(2)},
                      DurationCase{.text = "1h", .ok = true, .expected = std::chrono::hours(1)},
                      DurationCase{.text = "40", .ok = true, .expected = std::chrono::milliseconds(40)},
                      DurationCase{.text = "", .ok = false, .expected = {}},
                      DurationCase{.text = "s", .ok = false, .expected = {}},
                      DurationCase{.text = "5 s", .ok = false, .expected = {}},
                      DurationCase{.text = "5d", .ok = false, .expected = {}}));

}  // namespace
}  // namespace custflow::core
