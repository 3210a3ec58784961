// The ingest rate limit: the limiter keyed by principal name, the refusal texts and the
// refusal counter.
#include "services/ingest/ingest_rate_limit.h"

#include "absl/strings/str_cat.h"

namespace custflow::ingest {

IngestRateLimit::IngestRateLimit(double rate, double burst, core::MetricsRegistry& metrics,
                                 core::RateLimiter::Clock clock)
    : limiter_(rate, burst, std::move(clock)),
      refused_events_(metrics.GetCounter("custflow_ingest_rate_limited_total",
                                         "Events refused because their principal was over its rate limit.")) {
}

std::optional<IngestRateLimit::Refusal> IngestRateLimit::Take(const auth::Principal& caller, size_t events) {
  core::RateLimiter::Decision decision = limiter_.TryTake(caller.name, static_cast<double>(events));
  if (decision.granted) return std::nullopt;
  refused_events_.Increment(events);
  std::string limit =
      absl::StrCat("rate limit of ", limiter_.rate(), " events per second (burst ", limiter_.burst(), ")");
  if (decision.wait == std::chrono::nanoseconds::max()) {
    return Refusal{.message = absl::StrCat("principal ", caller.name, " may send at most ", limiter_.burst(),
                                           " events at once under its ", limit, "; this request has ", events,
                                           ": send smaller requests"),
                   .retry_after = std::nullopt};
  }
  return Refusal{.message = absl::StrCat("principal ", caller.name, " is over its ", limit, ": ", events,
                                         " events refused, none published; retry in ",
                                         RetryAfterSeconds(decision.wait), " s"),
                 .retry_after = decision.wait};
}

int64_t RetryAfterSeconds(std::chrono::nanoseconds wait) {
  int64_t seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
  return seconds < 1 ? 1 : seconds;
}

}  // namespace custflow::ingest
