// The per-principal rate limit on ingest, shared by the gRPC and the HTTP front ends so a
// principal has one budget whichever way it sends: every request takes as many tokens as
// it carries events, before any of them is submitted, and a request over the limit is
// refused whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "custflow/auth/principal.h"
#include "custflow/core/metrics.h"
#include "custflow/core/rate_limiter.h"

namespace custflow::ingest {

class IngestRateLimit {
 public:
  // Why a request is refused.
  struct Refusal {
    // Names the principal and the limit.
    std::string message;
    // When a resend of the same request can pass; nullopt when it never can (more events
    // than the burst), so the client must split it.
    std::optional<std::chrono::nanoseconds> retry_after;
  };

  // `rate` events a second per principal, 0 for no limit, and up to `burst` at once.
  IngestRateLimit(double rate, double burst, core::MetricsRegistry& metrics,
                  core::RateLimiter::Clock clock = nullptr);

  // Takes `events` tokens from `caller`'s budget, or refuses them all and counts them.
  std::optional<Refusal> Take(const auth::Principal& caller, size_t events);

 private:
  core::RateLimiter limiter_;
  core::Counter& refused_events_;
};

// The whole seconds a client waits before resending (HTTP Retry-After): rounded up, at
// least 1.
int64_t RetryAfterSeconds(std::chrono::nanoseconds wait);

}  // namespace custflow::ingest
