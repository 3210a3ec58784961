// EventIdLog: the acknowledged and refused ids a run writes for later checks.
#include "tools/loadgen/event_id_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace custflow::loadgen {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EventIdLogTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::path(::testing::TempDir()) /
                               ::testing::UnitTest::GetInstance()->current_test_info()->name();
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
};

TEST(RefusedIdLine, NamesTheGrpcCode) {
  EXPECT_EQ(RefusedIdLine("e1", 3), "e1 INVALID_ARGUMENT\n");
  EXPECT_EQ(RefusedIdLine("run-e42", 14), "run-e42 UNAVAILABLE\n");
  EXPECT_EQ(RefusedIdLine("x", 4), "x DEADLINE_EXCEEDED\n");
  EXPECT_EQ(RefusedIdLine("x", 8), "x RESOURCE_EXHAUSTED\n");
}

TEST_F(EventIdLogTest, WritesEachOutcomeToItsFile) {
  auto log = EventIdLog::Open((dir_ / "acked").string(), (dir_ / "refused").string());
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Acked("a1");
  (*log)->Refused("r1", 3);
  (*log)->Acked("a2");
  (*log)->Refused("r2", 14);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(ReadAll(dir_ / "acked"), "a1\na2\n");
  EXPECT_EQ(ReadAll(dir_ / "refused"), "r1 INVALID_ARGUMENT\nr2 UNAVAILABLE\n");
}

TEST_F(EventIdLogTest, AnEmptyPathWritesNothingForThatOutcome) {
  auto log = EventIdLog::Open("", (dir_ / "refused").string());
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Acked("a1");
  (*log)->Refused("r1", 8);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "acked"));
  EXPECT_EQ(ReadAll(dir_ / "refused"), "r1 RESOURCE_EXHAUSTED\n");
}

TEST_F(EventIdLogTest, OpeningTruncatesAnEarlierRun) {
  std::ofstream(dir_ / "acked") << "old\n";
  auto log = EventIdLog::Open((dir_ / "acked").string(), "");
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Acked("new");
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(ReadAll(dir_ / "acked"), "new\n");
}

TEST_F(EventIdLogTest, AnUnwritablePathIsAnError) {
  auto log = EventIdLog::Open((dir_ / "missing" / "acked").string(), "");
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("missing/acked"), std::string_view::npos);
}

TEST_F(EventIdLogTest, WorkersWritingAtOnceLoseNoLine) {
  auto log = EventIdLog::Open((dir_ / "acked").string(), "");
  ASSERT_TRUE(log.ok()) << log.status();
  constexpr int kWorkers = 4;
  constexpr int kEach = 1000;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) (*log)->Acked("w" + std::to_string(w) + "-" + std::to_string(i));
    });
  }
  for (std::thread& worker : workers) worker.join();
  ASSERT_TRUE((*log)->Close().ok());
  std::ifstream in(dir_ / "acked");
  std::set<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.insert(line);
  EXPECT_EQ(lines.size(), size_t{kWorkers * kEach});
}

}  // namespace
}  // namespace custflow::loadgen
