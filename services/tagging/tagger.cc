#include "services/tagging/tagger.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <deque>
#include <future>
#include <vector>

#include "custflow/core/log.h"
#include "custflow/v1/command.pb.h"

namespace custflow::tagging {

int64_t SystemClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RuleBook::RuleBook(std::string path) : path_(std::move(path)) {}

absl::StatusOr<bool> RuleBook::Reload() {
  std::string text(DefaultRuleFileText());
  if (!path_.empty()) {
    absl::StatusOr<std::string> read = ReadRuleFile(path_);
    if (!read.ok()) return absl::FailedPreconditionError(path_ + ": " + std::string(read.status().message()));
    text = std::move(*read);
  }
  RuleFileResult loaded = ParseRuleFile(text, path_.empty() ? "built-in default rules" : path_);
  if (!loaded.rules) {
    core::LogError("rule file refused; the rules in force stay", {{"errors", FormatErrors(loaded.errors)}});
    return absl::FailedPreconditionError(FormatErrors(loaded.errors));
  }
  std::lock_guard lock(mutex_);
  bool changed = text != text_;
  rules_ = std::make_shared<const RuleSet>(std::move(*loaded.rules));
  text_ = std::move(text);
  loaded_at_ = google::protobuf::util::TimeUtil::GetCurrentTime();
  core::LogInfo("rules loaded", {{"version", rules_->version()},
                                 {"rules", rules_->rules().size()},
                                 {"scores", rules_->scores().size()},
                                 {"changed", changed}});
  return changed;
}

std::shared_ptr<const RuleSet> RuleBook::Current() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

std::string RuleBook::text() const {
  std::lock_guard lock(mutex_);
  return text_;
}

google::protobuf::Timestamp RuleBook::loaded_at() const {
  std::lock_guard lock(mutex_);
  return loaded_at_;
}

absl::StatusOr<bool> TakeSweepTurn(redis::RedisClient& redis, std::chrono::milliseconds hold) {
  absl::StatusOr<redis::Reply> taken = redis.Command({"SET", "cf:tagging:sweep-turn", "taken", "NX", "PX",
                                                      std::to_string(std::max<int64_t>(hold.count(), 1))});
  if (!taken.ok()) return taken.status();
  return !taken->is_nil();
}

Tagger::Tagger(RuleBook& rules, kafka::Producer& producer, core::MetricsRegistry& metrics,
               std::string commands_topic, Clock clock)
    : rules_(rules),
      producer_(producer),
      commands_topic_(std::move(commands_topic)),
      clock_(std::move(clock)),
      evaluated_(metrics.GetCounter("custflow_tagging_evaluated_total",
                                    "Profiles evaluated, from events and sweeps.")),
      commands_(metrics.GetCounter("custflow_tagging_commands_total", "Set-tags commands published.")),
      swept_(metrics.GetCounter("custflow_tagging_sweeps_total", "Sweeps finished.")) {}

bool Tagger::PublishIfChanged(const RuleSet& rules, const v1::Profile& profile, Evaluation& evaluation,
                              std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>>& sent) {
  evaluated_.Increment();
  if (!profile.merged_into().empty()) return false;  // its tags live on in the survivor
  int64_t now = clock_();
  rules.Evaluate(profile, now, evaluation);
  if (!Differs(evaluation, profile)) return false;

  v1::Command command = MakeSetTagsCommand(rules, evaluation, profile, now);
  sent.push_back(producer_.SendAsync(commands_topic_, profile.customer_id(), command.SerializeAsString()));
  return true;
}

absl::Status Tagger::AwaitDeliveries(std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>>& sent) {
  absl::Status first = absl::OkStatus();
  for (auto& delivery : sent) {
    absl::StatusOr<kafka::DeliveryReport> report = delivery.get();
    if (!report.ok()) {
      if (first.ok()) first = report.status();
      continue;
    }
    commands_.Increment();
  }
  sent.clear();
  return first;
}

absl::Status Tagger::Handle(std::span<const kafka::Message> batch) {
  std::shared_ptr<const RuleSet> rules = rules_.Current();
  Evaluation evaluation;
  std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>> sent;
  v1::Profile profile;
  for (const kafka::Message& message : batch) {
    if (!profile.ParseFromArray(message.value.data(), static_cast<int>(message.value.size()))) {
      core::LogError("unreadable profile snapshot skipped",
                     {{"partition", message.partition}, {"offset", message.offset}});
      continue;
    }
    PublishIfChanged(*rules, profile, evaluation, sent);
  }
  return AwaitDeliveries(sent);
}

absl::StatusOr<SweepStatus> Tagger::Sweep(profile::ProfileStore& store,
                                          const std::function<void(const SweepStatus&)>& progress) {
  std::lock_guard lock(sweep_mutex_);
  std::shared_ptr<const RuleSet> rules = rules_.Current();
  auto started = std::chrono::steady_clock::now();
  SweepStatus status;
  status.rules_version = rules->version();
  Evaluation evaluation;
  // Each page's commands are awaited a few pages later: waiting for every page's
  // confirmation before reading on would leave the sweep idle for most of its time (a
  // broker round trip per page), while a bounded number of pages in flight keeps memory
  // bounded and stops the sweep at the first failed delivery soon after.
  constexpr size_t kPage = 500;
  constexpr size_t kPagesInFlight = 8;
  std::deque<std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>>> pages(1);
  absl::Status delivered = absl::OkStatus();
  auto end_page = [&](bool last) -> absl::Status {
    pages.emplace_back();
    while (!pages.empty() && (last || pages.size() > kPagesInFlight)) {
      absl::Status page = AwaitDeliveries(pages.front());
      if (delivered.ok()) delivered = page;
      pages.pop_front();
    }
    status.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (progress) progress(status);
    return delivered;
  };
  size_t in_page = 0;
  absl::Status walked = store.ForEachProfile(
      [&](const v1::Profile& profile) -> absl::Status {
        ++status.evaluated;
        if (PublishIfChanged(*rules, profile, evaluation, pages.back())) ++status.changed;
        if (++in_page < kPage) return absl::OkStatus();
        in_page = 0;
        return end_page(false);
      },
      kPage);
  absl::Status last = end_page(true);
  if (!walked.ok()) return walked;
  if (!last.ok()) return last;
  swept_.Increment();
  core::LogInfo("sweep done", {{"evaluated", status.evaluated},
                               {"changed", status.changed},
                               {"seconds", status.seconds},
                               {"rules_version", status.rules_version}});
  return status;
}

}  // namespace custflow::tagging
