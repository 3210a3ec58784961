#include "custflow/core/request_metrics.h"

#include <chrono>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace custflow::core {
namespace {

std::atomic<uint64_t> next_request_metrics_id{1};

// Per thread: each RequestMetrics instance's endpoints by key. Ids are never reused, so
// an entry is only ever looked up while its instance lives.
using ThreadEndpoints =
    absl::flat_hash_map<uint64_t, absl::flat_hash_map<std::string, RequestMetrics::Endpoint*>>;

ThreadEndpoints& ThisThreadEndpoints() {
  thread_local ThreadEndpoints endpoints;
  return endpoints;
}

constexpr size_t kMaxHttpRoutes = 64;
constexpr size_t kMaxRouteSegmentLength = 32;

bool IsApiVersion(std::string_view segment) {
  if (segment.size() < 2 || segment[0] != 'v') return false;
  for (char c : segment.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsResourceName(std::string_view segment) {
  if (segment.empty() || segment.size() > kMaxRouteSegmentLength) return false;
  for (char c : segment) {
    auto byte = static_cast<unsigned char>(c);
    if (!absl::ascii_islower(byte) && !absl::ascii_isdigit(byte) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

RequestMetrics::RequestMetrics(MetricsRegistry& registry, Names names,
                               std::function<std::string(size_t)> code_name, size_t overflow_code,
                               size_t max_endpoints)
    : registry_(registry),
      names_(std::move(names)),
      code_name_(std::move(code_name)),
      overflow_code_(overflow_code),
      max_endpoints_(max_endpoints),
      id_(next_request_metrics_id.fetch_add(1, std::memory_order_relaxed)) {}

RequestMetrics::Endpoint::Endpoint(RequestMetrics& owner, std::string key)
    : owner_(owner),
      key_(std::move(key)),
      latency_(owner.registry_.GetHistogram(owner.names_.request_seconds, owner.names_.request_seconds_help,
                                            LatencyBuckets(), {{owner.names_.key_label, key_}})) {}

void RequestMetrics::Endpoint::Record(size_t code, double seconds) {
  if (code >= kMaxCodes) code = owner_.overflow_code_;
  Counter* requests = requests_[code].load(std::memory_order_acquire);
  if (requests == nullptr) {
    // The registry hands out the same counter to racing threads.
    requests =
        &owner_.registry_.GetCounter(owner_.names_.requests_total, owner_.names_.requests_help,
                                     {{owner_.names_.key_label, key_}, {"code", owner_.code_name_(code)}});
    requests_[code].store(requests, std::memory_order_release);
  }
  requests->Increment();
  latency_.Observe(seconds);
}

RequestMetrics::Endpoint& RequestMetrics::For(std::string_view key) {
  auto& mine = ThisThreadEndpoints()[id_];
  // Debian's absl::string_view is not std::string_view.
  if (auto it = mine.find(absl::string_view(key.data(), key.size())); it != mine.end()) return *it->second;
  Endpoint& endpoint = ForSlow(key);
  // Keys past the cap are not indexed: they are what an abusive client invents.
  if (mine.size() < max_endpoints_) mine.emplace(std::string(key), &endpoint);
  return endpoint;
}

RequestMetrics::Endpoint& RequestMetrics::ForSlow(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = endpoints_.find(key);
  if (it != endpoints_.end()) return *it->second;
  std::string label = endpoints_.size() < max_endpoints_ ? std::string(key) : "other";
  if (label == "other" && (it = endpoints_.find(label)) != endpoints_.end()) return *it->second;
  auto& slot = endpoints_[label];
  slot = std::make_unique<Endpoint>(*this, label);
  return *slot;
}

std::string HttpRouteLabel(std::string_view path) {
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") return std::string(path);
  if (!path.starts_with('/')) return "other";
  std::string_view rest = path.substr(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "other";
  std::string_view version = rest.substr(0, slash);
  std::string_view resource = rest.substr(slash + 1);
  resource = resource.substr(0, resource.find('/'));
  if (!IsApiVersion(version) || !IsResourceName(resource)) return "other";
  return absl::StrCat("/", std::string(version), "/", std::string(resource));
}

AsyncHttpHandler InstrumentHttpHandler(MetricsRegistry& registry, AsyncHttpHandler next) {
  auto metrics = std::make_shared<RequestMetrics>(
      registry,
      RequestMetrics::Names{.requests_total = "custflow_http_requests_total",
                            .requests_help = "HTTP requests answered, by route and status code.",
                            .request_seconds = "custflow_http_request_seconds",
                            .request_seconds_help = "Time from an HTTP request's arrival to its answer.",
                            .key_label = "route"},
      [](size_t code) { return std::to_string(code + 100); }, /*overflow_code=*/500 - 100, kMaxHttpRoutes);
  return [metrics, next = std::move(next)](HttpRequest request, HttpResponder responder) {
    RequestMetrics::Endpoint& route = metrics->For(HttpRouteLabel(request.path));
    auto start = std::chrono::steady_clock::now();
    // HttpResponder is move-only and std::function needs a copyable callable.
    auto inner = std::make_shared<HttpResponder>(std::move(responder));
    next(std::move(request), HttpResponder([metrics, &route, start, inner](HttpResponse response) {
           std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
           size_t code = response.status >= 100 ? static_cast<size_t>(response.status - 100) : 500 - 100;
           route.Record(code, elapsed.count());
           std::move(*inner).Respond(std::move(response));
         }));
  };
}

}  // namespace custflow::core
