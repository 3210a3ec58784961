// custflow-tagging-bench: how fast the default tag rules run, for tests/bench/tagging_bench.sh.
//
//   custflow-tagging-bench evaluate --profiles N [--passes P] [--seed S]
//   custflow-tagging-bench sweep --profiles N --redis HOST:PORT --brokers B [--seed S] [--tagged F]
//
// evaluate: N synthetic profiles (tests/support/synthetic_profiles.h) held in memory are
// evaluated with the default rules on this one thread, P passes over all of them, as the
// tagger evaluates each profile (RuleSet::Evaluate into a reused Evaluation, then Differs).
// Each pass reports wall time and this thread's CPU time.
//
// sweep: N synthetic profiles are written into Redis in the profile store's layout (hash
// cf:profile:<id> with fields v and p, the id in the sorted set cf:ix:all), pipelined;
// then one Tagger::Sweep reads them back through profile::ProfileStore::ForEachProfile,
// evaluates them and publishes a set-tags command per changed customer to the commands
// topic with a real KafkaProducer, awaiting every delivery. Nobody folds those commands
// into Redis here, so only the first sweep is measured. --tagged F (0 to 1, default 0)
// stores that share of the profiles already carrying what the rules give them, as after
// earlier sweeps, so only the rest is published.
//
// The last line is machine-readable:
//   tagging-bench evaluate: profiles=N passes=P wall_rate=R cpu_rate=R wall_ns=X cpu_ns=Y
//   tagging-bench sweep: profiles=N evaluated=E changed=C seconds=S rate=R cpu_seconds=T
#include <google/protobuf/arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custflow/core/log.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/runtime/runtime.h"
#include "custflow/tagging/rule_file.h"
#include "custflow/tagging/rule_set.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tagger.h"
#include "tests/support/synthetic_profiles.h"

namespace custflow::loadgen {
namespace {

// The profiles' times are relative to the real clock, as the tagger's are.
int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double CpuSeconds(clockid_t clock) {
  timespec time{};
  clock_gettime(clock, &time);
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) / 1e9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Options {
  std::string mode;
  uint64_t profiles = 1'000'000;
  int passes = 3;
  uint64_t seed = 1;
  std::string redis;
  std::string brokers;
  double tagged = 0;
};

bool ParseOptions(int argc, char** argv, Options& options) {
  if (argc < 2 || argc % 2 != 0) return false;
  options.mode = argv[1];
  std::map<std::string, std::string> values;
  for (int i = 2; i + 1 < argc; i += 2) values[argv[i]] = argv[i + 1];
  for (const auto& [name, value] : values) {
    if (name == "--profiles") {
      options.profiles = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "--passes") {
      options.passes = std::atoi(value.c_str());
    } else if (name == "--seed") {
      options.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "--redis") {
      options.redis = value;
    } else if (name == "--brokers") {
      options.brokers = value;
    } else if (name == "--tagged") {
      options.tagged = std::atof(value.c_str());
    } else {
      return false;
    }
  }
  if (options.profiles == 0 || options.passes <= 0) return false;
  if (options.mode == "evaluate") return true;
  return options.mode == "sweep" && !options.redis.empty() && !options.brokers.empty();
}

std::optional<tagging::RuleSet> DefaultRules() {
  tagging::RuleFileResult loaded = tagging::ParseRuleFile(tagging::DefaultRuleFileText(), "default.yaml");
  if (!loaded.rules) std::fprintf(stderr, "%s\n", tagging::FormatErrors(loaded.errors).c_str());
  return std::move(loaded.rules);
}

int Evaluate(const Options& options) {
  std::optional<tagging::RuleSet> loaded = DefaultRules();
  if (!loaded) return 1;
  const tagging::RuleSet& rules = *loaded;
  const int64_t now = NowSeconds();
  testing::SyntheticProfileGenerator generator({.seed = options.seed, .now = now, .id_prefix = "bench"});
  // One arena holds them all: compact, as a service's working set would be, and freed at once.
  google::protobuf::Arena arena;
  std::vector<v1::Profile*> profiles(options.profiles);
  double started = WallSeconds();
  for (uint64_t index = 0; index < options.profiles; ++index) {
    profiles[index] = google::protobuf::Arena::CreateMessage<v1::Profile>(&arena);
    generator.Generate(index, *profiles[index]);
  }
  std::printf("generated %llu profiles in %.1f s (arena %.0f MB)\n",
              static_cast<unsigned long long>(options.profiles), WallSeconds() - started,
              static_cast<double>(arena.SpaceUsed()) / 1e6);

  tagging::Evaluation evaluation;
  double best_wall = 0;
  double best_cpu = 0;
  uint64_t differ = 0;
  for (int pass = 1; pass <= options.passes; ++pass) {
    double wall = WallSeconds();
    double cpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    differ = 0;
    for (const v1::Profile* profile : profiles) {
      rules.Evaluate(*profile, now, evaluation);
      differ += tagging::Differs(evaluation, *profile) ? 1 : 0;
    }
    wall = WallSeconds() - wall;
    cpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
    auto n = static_cast<double>(options.profiles);
    std::printf(
        "pass %d: %.3f s wall, %.3f s CPU: %.0f profiles/s wall, %.0f profiles/s CPU, %.0f ns/profile CPU\n",
        pass, wall, cpu, n / wall, n / cpu, cpu / n * 1e9);
    if (pass == 1 || wall < best_wall) best_wall = wall;
    if (pass == 1 || cpu < best_cpu) best_cpu = cpu;
  }
  auto n = static_cast<double>(options.profiles);
  std::printf("%llu of %llu profiles differ from the tags they carry\n",
              static_cast<unsigned long long>(differ), static_cast<unsigned long long>(options.profiles));
  std::printf(
      "tagging-bench evaluate: profiles=%llu passes=%d wall_rate=%.0f cpu_rate=%.0f wall_ns=%.0f "
      "cpu_ns=%.0f\n",
      static_cast<unsigned long long>(options.profiles), options.passes, n / best_wall, n / best_cpu,
      best_wall / n * 1e9, best_cpu / n * 1e9);
  return 0;
}

// Writes the profiles as profile::ProfileStore keeps them, a pipeline of `kBatch` at a time.
absl::Status LoadProfiles(redis::RedisClient& redis, const tagging::RuleSet& rules, const Options& options,
                          int64_t now) {
  constexpr uint64_t kBatch = 1000;
  testing::SyntheticProfileGenerator generator({.seed = options.seed, .now = now, .id_prefix = "bench"});
  const auto tagged_per_mille = static_cast<uint64_t>(options.tagged * 1000);
  tagging::Evaluation evaluation;
  v1::Profile profile;
  std::vector<std::string> keys, ids, versions, bytes;
  for (uint64_t first = 0; first < options.profiles; first += kBatch) {
    uint64_t count = std::min(kBatch, options.profiles - first);
    keys.resize(count), ids.resize(count), versions.resize(count), bytes.resize(count);
    for (uint64_t k = 0; k < count; ++k) {
      generator.Generate(first + k, profile);
      if ((first + k) % 1000 < tagged_per_mille) {
        rules.Evaluate(profile, now, evaluation);
        profile.mutable_tags()->Assign(evaluation.tags.begin(), evaluation.tags.end());
        profile.set_grade(std::string(evaluation.grade));
      }
      ids[k] = profile.customer_id();
      keys[k] = "cf:profile:" + ids[k];
      versions[k] = std::to_string(profile.version());
      profile.SerializeToString(&bytes[k]);
    }
    std::vector<redis::CommandArgs> commands;
    commands.reserve(count + 1);
    for (uint64_t k = 0; k < count; ++k)
      commands.push_back({"HSET", keys[k], "v", versions[k], "p", bytes[k]});
    redis::CommandArgs& index = commands.emplace_back(redis::CommandArgs{"ZADD", "cf:ix:all"});
    for (uint64_t k = 0; k < count; ++k) index.insert(index.end(), {"0", ids[k]});
    absl::StatusOr<std::vector<redis::Reply>> replies = redis.Pipeline(commands);
    if (!replies.ok()) return replies.status();
    for (const redis::Reply& reply : *replies) {
      if (reply.is_error()) return absl::InternalError("Redis answered an error: " + reply.str());
    }
  }
  return absl::OkStatus();
}

int Sweep(const Options& options) {
  core::InitLogging("tagging-bench", core::LogLevel::kWarn);
  absl::StatusOr<std::unique_ptr<redis::RedisClient>> redis = runtime::ConnectRedis(options.redis, 2);
  if (!redis.ok()) {
    std::fprintf(stderr, "cannot reach Redis: %s\n", redis.status().ToString().c_str());
    return 1;
  }
  std::optional<tagging::RuleSet> rule_set = DefaultRules();
  if (!rule_set) return 1;
  const int64_t now = NowSeconds();
  double started = WallSeconds();
  if (absl::Status loaded = LoadProfiles(**redis, *rule_set, options, now); !loaded.ok()) {
    std::fprintf(stderr, "loading profiles failed: %s\n", loaded.ToString().c_str());
    return 1;
  }
  std::printf("loaded %llu profiles into Redis in %.1f s\n",
              static_cast<unsigned long long>(options.profiles), WallSeconds() - started);

  auto producer = kafka::KafkaProducer::Create(
      {.bootstrap_servers = options.brokers, .client_id = "custflow-tagging-bench"});
  if (!producer.ok()) {
    std::fprintf(stderr, "cannot create Kafka producer: %s\n", producer.status().ToString().c_str());
    return 1;
  }
  tagging::RuleBook rules("");
  if (absl::StatusOr<bool> reloaded = rules.Reload(); !reloaded.ok()) {
    std::fprintf(stderr, "%s\n", reloaded.status().ToString().c_str());
    return 1;
  }
  core::MetricsRegistry metrics;
  tagging::Tagger tagger(rules, **producer, metrics, domain::kCommandsTopic);
  profile::ProfileStore store(**redis);
  constexpr uint64_t kReportEvery = 100'000;
  uint64_t next_report = kReportEvery;
  double cpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  absl::StatusOr<tagging::SweepStatus> swept = tagger.Sweep(store, [&](const tagging::SweepStatus& status) {
    if (status.evaluated < next_report) return;
    next_report += kReportEvery;
    std::printf("  %.1f s: %llu evaluated, %llu changed\n", status.seconds,
                static_cast<unsigned long long>(status.evaluated),
                static_cast<unsigned long long>(status.changed));
    std::fflush(stdout);
  });
  cpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
  if (!swept.ok()) {
    std::fprintf(stderr, "sweep failed: %s\n", swept.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "tagging-bench sweep: profiles=%llu evaluated=%llu changed=%llu seconds=%.2f rate=%.0f "
      "cpu_seconds=%.2f\n",
      static_cast<unsigned long long>(options.profiles), static_cast<unsigned long long>(swept->evaluated),
      static_cast<unsigned long long>(swept->changed), swept->seconds,
      static_cast<double>(swept->evaluated) / swept->seconds, cpu);
  return swept->evaluated == options.profiles ? 0 : 1;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  custflow::loadgen::Options options;
  if (!custflow::loadgen::ParseOptions(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: custflow-tagging-bench evaluate --profiles N [--passes P] [--seed S]\n"
                 "       custflow-tagging-bench sweep --profiles N --redis HOST:PORT --brokers B [--seed S] "
                 "[--tagged F]\n");
    return 2;
  }
  return options.mode == "evaluate" ? custflow::loadgen::Evaluate(options)
                                    : custflow::loadgen::Sweep(options);
}
