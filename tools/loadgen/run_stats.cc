#include "tools/loadgen/run_stats.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace custflow::loadgen {
namespace {

double Ms(std::chrono::microseconds value) { return static_cast<double>(value.count()) / 1000.0; }

double Seconds(Clock::duration value) { return std::chrono::duration<double>(value).count(); }

}  // namespace

std::string CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  if (code >= 0 && code < static_cast<int>(std::size(kNames))) return kNames[code];
  return absl::StrCat("CODE_", code);
}

uint64_t RunStats::rejected() const {
  uint64_t total = 0;
  for (const auto& [code, count] : rejected_by_code) total += count;
  return total;
}

void RunStats::RecordSend(Clock::time_point at, uint64_t events) {
  sent += events;
  if (!first_send || at < *first_send) first_send = at;
  if (!last_send || at > *last_send) last_send = at;
}

void RunStats::RecordResult(Clock::time_point sent_at, Clock::time_point at, int code, bool duplicate,
                            const std::string& message) {
  if (!last_result || at > *last_result) last_result = at;
  if (code != 0) {
    ++rejected_by_code[code];
    first_message_by_code.try_emplace(code, message);
    return;
  }
  ++acked;
  if (duplicate) ++duplicates;
  latency.Record(at - sent_at);
}

void RunStats::Merge(const RunStats& other) {
  sent += other.sent;
  acked += other.acked;
  duplicates += other.duplicates;
  unanswered += other.unanswered;
  unmatched += other.unmatched;
  for (const auto& [code, count] : other.rejected_by_code) rejected_by_code[code] += count;
  for (const auto& [code, message] : other.first_message_by_code)
    first_message_by_code.try_emplace(code, message);
  latency.Merge(other.latency);
  auto earliest = [](auto& mine, const auto& theirs) {
    if (theirs && (!mine || *theirs < *mine)) mine = theirs;
  };
  auto latest = [](auto& mine, const auto& theirs) {
    if (theirs && (!mine || *theirs > *mine)) mine = theirs;
  };
  earliest(first_send, other.first_send);
  latest(last_send, other.last_send);
  latest(last_result, other.last_result);
}

RunSummary Summarize(const RunStats& stats, std::chrono::duration<double> interval) {
  RunSummary summary;
  if (!stats.first_send) return summary;
  double tail = interval.count();
  Clock::time_point end = std::max(stats.last_result.value_or(*stats.last_send), *stats.last_send);
  summary.seconds = Seconds(end - *stats.first_send) + tail;
  if (summary.seconds > 0) summary.rate = static_cast<double>(stats.acked) / summary.seconds;
  // All sent at once (one unpaced batch): the send rate is the rate of the whole run.
  double send_span = Seconds(*stats.last_send - *stats.first_send) + tail;
  if (send_span <= 0) send_span = summary.seconds;
  if (send_span > 0) summary.send_rate = static_cast<double>(stats.sent) / send_span;
  return summary;
}

std::string HumanReport(const RunStats& stats, const RunSummary& summary, bool latencies_measured) {
  std::string out = absl::StrFormat(
      "sent          %llu events\n"
      "acknowledged  %llu (%llu duplicates)\n"
      "rejected      %llu\n",
      stats.sent, stats.acked, stats.duplicates, stats.rejected());
  for (const auto& [code, count] : stats.rejected_by_code) {
    auto message = stats.first_message_by_code.find(code);
    absl::StrAppend(&out,
                    absl::StrFormat("  %-20s %llu, e.g. %s\n", CodeName(code), count,
                                    message == stats.first_message_by_code.end() ? "" : message->second));
  }
  absl::StrAppend(&out, absl::StrFormat("unanswered    %llu\n", stats.unanswered));
  if (stats.unmatched > 0) {
    absl::StrAppend(
        &out, absl::StrFormat("unmatched     %llu results named no event awaiting one\n", stats.unmatched));
  }
  absl::StrAppend(&out, absl::StrFormat("send rate     %.1f events/s\n", summary.send_rate));
  absl::StrAppend(
      &out, absl::StrFormat("ack rate      %.1f events/s over %.3f s\n", summary.rate, summary.seconds));
  if (latencies_measured) {
    absl::StrAppend(&out,
                    absl::StrFormat("ack latency   p50 %.3f ms  p95 %.3f ms  p99 %.3f ms  max %.3f ms\n",
                                    Ms(stats.latency.Quantile(0.50)), Ms(stats.latency.Quantile(0.95)),
                                    Ms(stats.latency.Quantile(0.99)), Ms(stats.latency.max())));
  }
  return out;
}

std::string SummaryLine(const RunStats& stats, const RunSummary& summary) {
  return absl::StrFormat(
      "loadgen: sent=%llu acked=%llu rejected=%llu rate=%.1f p50_ms=%.3f p99_ms=%.3f p95_ms=%.3f max_ms=%.3f "
      "duplicates=%llu unanswered=%llu send_rate=%.1f seconds=%.3f",
      stats.sent, stats.acked, stats.rejected(), summary.rate, Ms(stats.latency.Quantile(0.50)),
      Ms(stats.latency.Quantile(0.99)), Ms(stats.latency.Quantile(0.95)), Ms(stats.latency.max()),
      stats.duplicates, stats.unanswered, summary.send_rate, summary.seconds);
}

}  // namespace custflow::loadgen
