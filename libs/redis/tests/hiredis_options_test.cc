// HiredisClient::Create rejects options it cannot work with before touching the network.
#include <ostream>
#include <string>

#include "custflow/redis/hiredis_client.h"
#include "gtest/gtest.h"

namespace custflow::redis {
namespace {

struct OptionsCase {
  std::string name;
  HiredisOptions options;
};

void PrintTo(const OptionsCase& test_case, std::ostream* out) { *out << test_case.name; }

HiredisOptions With(void (*change)(HiredisOptions&)) {
  HiredisOptions options;
  change(options);
  return options;
}

class HiredisOptionsTest : public ::testing::TestWithParam<OptionsCase> {};

TEST_P(HiredisOptionsTest, CreateRejectsInvalidOptions) {
  absl::StatusOr<std::unique_ptr<RedisClient>> client = HiredisClient::Create(GetParam().options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument) << client.status();
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, HiredisOptionsTest,
    ::testing::Values(
        OptionsCase{"EmptyHost", With([](HiredisOptions& o) { o.host = ""; })},
        OptionsCase{"ZeroPort", With([](HiredisOptions& o) { o.port = 0; })},
        OptionsCase{"PortAbove65535", With([](HiredisOptions& o) { o.port = 65536; })},
        OptionsCase{"NegativeDb", With([](HiredisOptions& o) { o.db = -1; })},
        OptionsCase{"EmptyPool", With([](HiredisOptions& o) { o.pool_size = 0; })},
        OptionsCase{"ZeroConnectTimeout", With([](HiredisOptions& o) { o.connect_timeout = {}; })},
        OptionsCase{"ZeroCommandTimeout", With([](HiredisOptions& o) { o.command_timeout = {}; })}),
    [](const ::testing::TestParamInfo<OptionsCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace custflow::redis
