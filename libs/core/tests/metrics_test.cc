#include "custflow/core/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace custflow::core {
namespace {

TEST(Metrics, SameNameAndLabelsGiveTheSameCounter) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("events_total", "Events.", {{"result", "ok"}});
  Counter& b = registry.GetCounter("events_total", "Events.", {{"result", "ok"}});
  Counter& c = registry.GetCounter("events_total", "Events.", {{"result", "rejected"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(Metrics, RendersPrometheusTextFormat) {
  MetricsRegistry registry;
  registry.GetCounter("custflow_events_total", "Events accepted.", {{"channel", "web"}}).Increment(3);
  registry.GetGauge("custflow_in_flight", "Events in flight.").Set(7);
  Histogram& latency = registry.GetHistogram("custflow_ack_seconds", "Ack latency.", {0.01, 0.1});
  latency.Observe(0.005);
  latency.Observe(0.05);
  latency.Observe(3);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE custflow_events_total counter\ncustflow_events_total{channel=\"web\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("custflow_in_flight 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("custflow_ack_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("custflow_ack_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("custflow_ack_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("custflow_ack_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("custflow_ack_seconds_sum 3.055\n"), std::string::npos) << text;
}

TEST(Metrics, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "X.", {{"reason", "bad \"phone\"\n"}}).Increment();
  EXPECT_NE(registry.RenderPrometheus().find("x_total{reason=\"bad \\\"phone\\\"\\n\"} 1"),
            std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  Counter& counter = registry.GetCounter("n_total", "N.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) counter.Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 400000u);
}

TEST(Metrics, OneNameCannotHaveTwoKinds) {
  MetricsRegistry registry;
  registry.GetCounter("thing", "A thing.");
  EXPECT_THROW(registry.GetGauge("thing", "A thing."), std::logic_error);
}

}  // namespace
}  // namespace custflow::core
