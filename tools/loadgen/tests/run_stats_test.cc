#include "tools/loadgen/run_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace custflow::loadgen {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

const Clock::time_point kStart = Clock::time_point(std::chrono::hours(1));

TEST(RunStats, CountsAcknowledgedDuplicateAndRejectedResultsWithTheFirstMessagePerCode) {
  RunStats stats;
  stats.RecordSend(kStart, 4);
  stats.RecordResult(kStart, kStart + milliseconds(5), 0, false, "");
  stats.RecordResult(kStart, kStart + milliseconds(7), 0, true, "");
  stats.RecordResult(kStart, kStart + milliseconds(8), 3, false, "events[2].type: is required");
  stats.RecordResult(kStart, kStart + milliseconds(9), 3, false, "later message");
  EXPECT_EQ(stats.sent, 4u);
  EXPECT_EQ(stats.acked, 2u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.rejected(), 2u);
  EXPECT_EQ(stats.first_message_by_code.at(3), "events[2].type: is required");
  EXPECT_EQ(stats.latency.count(), 2u);
  EXPECT_EQ(stats.last_result, kStart + milliseconds(9));
}

TEST(RunStats, MergeAddsCountsAndWidensTheTimes) {
  RunStats first, second;
  first.RecordSend(kStart + milliseconds(10), 1);
  first.RecordResult(kStart + milliseconds(10), kStart + milliseconds(20), 0, false, "");
  second.RecordSend(kStart, 2);
  second.RecordResult(kStart, kStart + milliseconds(50), 14, false, "broker down");
  second.unanswered = 1;
  first.Merge(second);
  EXPECT_EQ(first.sent, 3u);
  EXPECT_EQ(first.acked, 1u);
  EXPECT_EQ(first.rejected_by_code.at(14), 1u);
  EXPECT_EQ(first.unanswered, 1u);
  EXPECT_EQ(first.first_send, kStart);
  EXPECT_EQ(first.last_send, kStart + milliseconds(10));
  EXPECT_EQ(first.last_result, kStart + milliseconds(50));
}

TEST(RunStats, APerfectlyPacedRunMeasuresItsTargetRate) {
  // 10 batches of 100 at 1000 events/s: sent at 0, 0.1, ..., 0.9 s.
  RunStats stats;
  for (int k = 0; k < 10; ++k) {
    Clock::time_point at = kStart + milliseconds(100 * k);
    stats.RecordSend(at, 100);
    for (int i = 0; i < 100; ++i) stats.RecordResult(at, at, 0, false, "");
  }
  RunSummary summary = Summarize(stats, std::chrono::duration<double>(0.1));
  EXPECT_NEAR(summary.send_rate, 1000, 1e-6);
  EXPECT_NEAR(summary.rate, 1000, 1e-6);
  EXPECT_NEAR(summary.seconds, 1.0, 1e-9);
}

TEST(RunStats, TheSummaryLineStartsWithTheFieldsScriptsParse) {
  RunStats stats;
  stats.RecordSend(kStart, 3);
  // Latencies under 128 us are kept exactly.
  stats.RecordResult(kStart, kStart + std::chrono::microseconds(100), 0, false, "");
  stats.RecordResult(kStart, kStart + std::chrono::microseconds(125), 0, false, "");
  stats.RecordResult(kStart, kStart + milliseconds(4), 8, false, "too much in flight");
  std::string line = SummaryLine(stats, Summarize(stats, {}));
  EXPECT_THAT(line, ::testing::StartsWith(
                        "loadgen: sent=3 acked=2 rejected=1 rate=500.0 p50_ms=0.100 p99_ms=0.125 "));
  EXPECT_THAT(line, HasSubstr(" duplicates=0 unanswered=0 "));
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(RunStats, TheHumanReportNamesRejectionCodesWithTheServersMessage) {
  RunStats stats;
  stats.RecordSend(kStart, 1);
  stats.RecordResult(kStart, kStart + milliseconds(1), 12, false, "StreamEvents is not implemented");
  std::string report = HumanReport(stats, Summarize(stats, {}), true);
  EXPECT_THAT(report, HasSubstr("UNIMPLEMENTED"));
  EXPECT_THAT(report, HasSubstr("StreamEvents is not implemented"));
  EXPECT_THAT(report, HasSubstr("p99"));
}

TEST(RunStats, CodeNamesFollowGrpc) {
  EXPECT_EQ(CodeName(0), "OK");
  EXPECT_EQ(CodeName(3), "INVALID_ARGUMENT");
  EXPECT_EQ(CodeName(14), "UNAVAILABLE");
  EXPECT_EQ(CodeName(16), "UNAUTHENTICATED");
  EXPECT_EQ(CodeName(99), "CODE_99");
}

}  // namespace
}  // namespace custflow::loadgen
