// Script computes the SHA1 Redis names a script by, including at the block-padding edges.
#include "custflow/redis/script.h"

#include <ostream>
#include <string>

#include "gtest/gtest.h"

namespace custflow::redis {
namespace {

struct Sha1Case {
  std::string name;
  std::string source;
  std::string sha1;
};

void PrintTo(const Sha1Case& test_case, std::ostream* out) { *out << test_case.name; }

class ScriptSha1Test : public ::testing::TestWithParam<Sha1Case> {};

TEST_P(ScriptSha1Test, ScriptSha1MatchesKnownDigest) {
  EXPECT_EQ(Script(GetParam().source).sha1(), GetParam().sha1);
}

// Digests from sha1sum. The lengths around 55/56 and 64 bytes decide whether the padding
// takes one block or two.
INSTANTIATE_TEST_SUITE_P(
    Digests, ScriptSha1Test,
    ::testing::Values(Sha1Case{"Empty", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
                      Sha1Case{"Abc", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
                      Sha1Case{"FipsTwoBlocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                               "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
                      Sha1Case{"RedisReturnOne", "return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
                      Sha1Case{"Bytes55", std::string(55, 'a'), "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
                      Sha1Case{"Bytes56", std::string(56, 'a'), "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
                      Sha1Case{"Bytes63", std::string(63, 'a'), "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
                      Sha1Case{"Bytes64", std::string(64, 'a'), "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
                      Sha1Case{"Bytes65", std::string(65, 'a'), "11655326c708d70319be2610e8a57d9a5b959d3b"},
                      Sha1Case{"MillionBytes", std::string(1000000, 'a'),
                               "34aa973cd4c4daa4f61eeb2bdbad27316534016f"}),
    [](const ::testing::TestParamInfo<Sha1Case>& param_info) { return param_info.param.name; });

TEST(ScriptTest, ScriptKeepsItsSource) {
  Script script("return redis.call('GET', KEYS[1])");
  EXPECT_EQ(script.source(), "return redis.call('GET', KEYS[1])");
}

}  // namespace
}  // namespace custflow::redis
