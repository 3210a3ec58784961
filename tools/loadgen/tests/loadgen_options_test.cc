#include "tools/loadgen/loadgen_options.h"

#include <gtest/gtest.h>

#include <map>

namespace custflow::loadgen {
namespace {

const char* NoEnv(const char*) { return nullptr; }

absl::StatusOr<LoadgenOptions> Parse(std::vector<std::string> args) {
  return ParseLoadgenOptions(args, NoEnv);
}

TEST(LoadgenOptions, DefaultsSendToTheLocalStackForTenSeconds) {
  auto options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->mode, Mode::kStream);
  EXPECT_EQ(options->target, "127.0.0.1:17051");
  EXPECT_EQ(options->profile_target, "127.0.0.1:17052");
  EXPECT_EQ(options->url, "http://127.0.0.1:17081/v1/events");
  ASSERT_TRUE(options->duration.has_value());
  EXPECT_DOUBLE_EQ(options->duration->count(), 10.0);
  EXPECT_FALSE(options->events.has_value());
}

TEST(LoadgenOptions, AddressesDefaultToTheStackEnvironment) {
  std::map<std::string, std::string> env = {{"CUSTFLOW_INGEST_ADDRESS", "10.0.0.1:1"},
                                            {"CUSTFLOW_PROFILE_ADDRESS", "10.0.0.2:2"}};
  auto options = ParseLoadgenOptions({}, [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "10.0.0.1:1");
  EXPECT_EQ(options->profile_target, "10.0.0.2:2");
}

TEST(LoadgenOptions, ReadsEveryOptionInBothSpellings) {
  auto options = Parse({"--mode",
                        "batch",
                        "--target=h:1",
                        "--rate",
                        "2500.5",
                        "--duration=3",
                        "--events",
                        "700",
                        "--batch",
                        "50",
                        "--concurrency=4",
                        "--seed",
                        "99",
                        "--customers",
                        "12",
                        "--identity-mix",
                        "0.5",
                        "--upsert-customers",
                        "--profile-target",
                        "p:2",
                        "--run",
                        "r1",
                        "--now",
                        "1700000000",
                        "--timeout",
                        "2",
                        "--drain-timeout=1.5",
                        "--max-in-flight",
                        "500"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->mode, Mode::kBatch);
  EXPECT_EQ(options->target, "h:1");
  EXPECT_DOUBLE_EQ(options->rate, 2500.5);
  EXPECT_DOUBLE_EQ(options->duration->count(), 3.0);
  EXPECT_EQ(options->events, 700u);
  EXPECT_EQ(options->batch, 50);
  EXPECT_EQ(options->concurrency, 4);
  EXPECT_EQ(options->seed, 99u);
  EXPECT_EQ(options->customers, 12);
  EXPECT_DOUBLE_EQ(options->identity_mix, 0.5);
  EXPECT_TRUE(options->upsert_customers);
  EXPECT_EQ(options->profile_target, "p:2");
  EXPECT_EQ(options->run, "r1");
  EXPECT_EQ(options->now, 1'700'000'000);
  EXPECT_DOUBLE_EQ(options->timeout.count(), 2.0);
  EXPECT_DOUBLE_EQ(options->drain_timeout.count(), 1.5);
  EXPECT_EQ(options->max_in_flight, 500);
}

TEST(LoadgenOptions, IdFilesAreOptionalAndIndependent) {
  auto neither = Parse({});
  ASSERT_TRUE(neither.ok()) << neither.status();
  EXPECT_EQ(neither->acked_ids, "");
  EXPECT_EQ(neither->refused_ids, "");
  auto both = Parse({"--acked-ids", "acked.txt", "--refused-ids=refused.txt"});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->acked_ids, "acked.txt");
  EXPECT_EQ(both->refused_ids, "refused.txt");
}

TEST(LoadgenOptions, FileModeTakesAnOutputAndAFormat) {
  auto options = Parse({"--mode", "file", "--output", "/tmp/x.bin", "--format", "binary", "--events", "10"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->mode, Mode::kFile);
  EXPECT_EQ(options->output, "/tmp/x.bin");
  EXPECT_EQ(options->format, FileFormat::kBinary);
  EXPECT_FALSE(options->duration.has_value());
}

TEST(LoadgenOptions, HelpStopsParsing) {
  auto options = Parse({"--help", "--no-such-option"});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->help);
  EXPECT_NE(LoadgenHelp().find("--identity-mix"), std::string::npos);
}

struct BadArgs {
  std::vector<std::string> args;
  std::string error;  // part of the message
};

class LoadgenOptionsErrors : public ::testing::TestWithParam<BadArgs> {};

TEST_P(LoadgenOptionsErrors, NameTheOptionAndWhatWasExpected) {
  auto options = Parse(GetParam().args);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find(GetParam().error), std::string::npos) << options.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoadgenOptionsErrors,
    ::testing::Values(BadArgs{{"--mode", "udp"}, "--mode 'udp': expected stream, batch, http or file"},
                      BadArgs{{"--rate", "-1"}, "--rate '-1'"}, BadArgs{{"--rate", "fast"}, "--rate 'fast'"},
                      BadArgs{{"--batch", "0"}, "--batch '0': expected a whole number from 1"},
                      BadArgs{{"--identity-mix", "1.5"}, "--identity-mix '1.5'"},
                      BadArgs{{"--events", "0"}, "--events '0'"},
                      BadArgs{{"--duration", "0"}, "--duration '0'"},
                      BadArgs{{"--url", "ftp://x"}, "expected http://host:port/path"},
                      BadArgs{{"--format", "xml"}, "expected json or binary"},
                      BadArgs{{"--bogus", "1"}, "unknown option --bogus"},
                      BadArgs{{"--rate"}, "--rate needs a value"}, BadArgs{{"stray"}, "unexpected 'stray'"},
                      BadArgs{{"--mode", "file"}, "--mode file needs --output FILE"},
                      BadArgs{{"--output", "x"}, "--output is only for --mode file"},
                      BadArgs{{"--batch", "200", "--max-in-flight", "100"}, "must be at least --batch"},
                      BadArgs{{"--acked-ids", ""}, "--acked-ids '': expected a file name"},
                      BadArgs{{"--mode", "file", "--output", "x", "--refused-ids", "r"},
                              "--acked-ids and --refused-ids need a server"}));

}  // namespace
}  // namespace custflow::loadgen
