// Builders, the broker thread and the Redis-backed fixture shared by the profile tests.
#include "services/profile/tests/profile_test_support.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "custflow/redis/hiredis_client.h"

namespace custflow::profile::test {

v1::Interaction Event(std::string customer_id, v1::InteractionType type, int64_t at_seconds) {
  v1::Interaction event;
  event.set_event_id(customer_id + "-" + std::to_string(at_seconds));
  event.mutable_customer()->set_customer_id(std::move(customer_id));
  event.set_channel(v1::CHANNEL_PHONE);
  event.set_type(type);
  event.mutable_occurred_at()->set_seconds(at_seconds);
  return event;
}

v1::Interaction Order(std::string customer_id, int64_t at_seconds, int64_t amount_minor,
                      v1::InteractionType type) {
  v1::Interaction event = Event(std::move(customer_id), type, at_seconds);
  event.mutable_amount()->set_amount_minor(amount_minor);
  event.mutable_amount()->set_currency("CNY");
  return event;
}

v1::Command Upsert(std::string customer_id, v1::Customer customer, int64_t at_seconds) {
  v1::Command command;
  command.set_command_id("cmd-" + customer_id + "-" + std::to_string(at_seconds));
  command.set_customer_id(std::move(customer_id));
  command.set_actor("test");
  command.mutable_issued_at()->set_seconds(at_seconds);
  *command.mutable_upsert()->mutable_customer() = std::move(customer);
  return command;
}

Batch& Batch::Add(std::string topic, int32_t partition, int64_t offset, std::string key, std::string value) {
  const Bytes& bytes = bytes_.emplace_back(Bytes{std::move(topic), std::move(key), std::move(value)});
  kafka::Message& message = messages_.emplace_back();
  message.topic = bytes.topic;
  message.partition = partition;
  message.offset = offset;
  message.key = bytes.key;
  message.value = bytes.value;
  return *this;
}

Batch& Batch::Add(std::string topic, int32_t partition, int64_t offset, const v1::Interaction& event) {
  return Add(std::move(topic), partition, offset, event.customer().customer_id(), event.SerializeAsString());
}

Batch& Batch::Add(std::string topic, int32_t partition, int64_t offset, const v1::Command& command) {
  return Add(std::move(topic), partition, offset, command.customer_id(), command.SerializeAsString());
}

kafka::Message ToMessage(const kafka::InMemoryProducer::Record& record) {
  kafka::Message message;
  message.topic = record.topic;
  message.partition = record.partition;
  message.offset = record.offset;
  message.key = record.key;
  message.value = record.value;
  return message;
}

Broker::Broker(kafka::InMemoryProducer& producer, std::function<void()> before_first_delivery)
    : thread_([this, &producer, hook = std::move(before_first_delivery)]() mutable {
        while (!stop_) {
          if (hook && producer.pending_count() > 0) std::exchange(hook, nullptr)();
          producer.DeliverPending();
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }) {}

Broker::~Broker() {
  stop_ = true;
  thread_.join();
}

DeliveredApplier::DeliveredApplier(const kafka::InMemoryProducer& producer, ProfileApplier& applier,
                                   std::vector<std::string> topics)
    : topics_(std::move(topics)), thread_([this, &producer, &applier] { Run(producer, applier); }) {}

DeliveredApplier::~DeliveredApplier() {
  stop_ = true;
  thread_.join();
}

void DeliveredApplier::Run(const kafka::InMemoryProducer& producer, ProfileApplier& applier) {
  using Record = kafka::InMemoryProducer::Record;
  std::map<std::string, size_t> consumed;
  while (!stop_) {
    std::vector<Record> delivered = producer.delivered();
    for (const std::string& topic : topics_) {
      std::vector<Record> records;
      for (const Record& record : delivered) {
        if (record.topic == topic) records.push_back(record);
      }
      std::vector<Record> fresh(records.begin() + static_cast<std::ptrdiff_t>(consumed[topic]),
                                records.end());
      std::stable_sort(fresh.begin(), fresh.end(),
                       [](const Record& a, const Record& b) { return a.partition < b.partition; });
      std::vector<kafka::Message> batch;
      for (const Record& record : fresh) batch.push_back(ToMessage(record));
      if (!batch.empty() && applier.Apply(batch).ok()) consumed[topic] = records.size();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void ProfileTest::SetUp() {
  absl::StatusOr<custflow::testing::LocalRedisServer> server = custflow::testing::StartRedisServer();
  ASSERT_TRUE(server.ok()) << server.status();
  server_.emplace(*std::move(server));
  redis::HiredisOptions options;
  options.port = server_->port();
  // Short bounds keep the outage test quick; loopback answers in microseconds.
  options.connect_timeout = std::chrono::milliseconds(300);
  options.command_timeout = std::chrono::milliseconds(300);
  absl::StatusOr<std::unique_ptr<redis::RedisClient>> client = redis::HiredisClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status();
  redis_ = *std::move(client);
  store_.emplace(*redis_);
  applier_.emplace(*store_, producer_, metrics_, kTopics);
}

std::map<std::string, std::string> ProfileTest::RedisContents() {
  std::map<std::string, std::string> contents;
  absl::StatusOr<redis::Reply> keys = redis_->Command({"KEYS", "*"});
  EXPECT_TRUE(keys.ok()) << keys.status();
  if (!keys.ok()) return contents;
  for (const redis::Reply& key : keys->elements()) {
    // Profiles are hashes (fields v and p), search index sets sorted sets (their members
    // joined by spaces stand for them), offsets and identities plain strings.
    absl::StatusOr<redis::Reply> type = redis_->Command({"TYPE", key.str()});
    EXPECT_TRUE(type.ok()) << type.status();
    if (!type.ok()) continue;
    if (type->str() == "zset") {
      absl::StatusOr<redis::Reply> members = redis_->Command({"ZRANGE", key.str(), "0", "-1"});
      EXPECT_TRUE(members.ok()) << members.status();
      if (!members.ok()) continue;
      std::string joined;
      for (const redis::Reply& member : members->elements())
        joined += (joined.empty() ? "" : " ") + member.str();
      contents[key.str()] = joined;
      continue;
    }
    if (type->str() != "hash") {
      absl::StatusOr<redis::Reply> value = redis_->Command({"GET", key.str()});
      EXPECT_TRUE(value.ok()) << value.status();
      if (value.ok()) contents[key.str()] = value->str();
      continue;
    }
    // A profile: its deterministic serialization stands for the key (the stored bytes
    // may order map entries differently and still mean the same); the version field must
    // agree with it.
    absl::StatusOr<redis::Reply> fields = redis_->Command({"HMGET", key.str(), "v", "p"});
    EXPECT_TRUE(fields.ok()) << fields.status();
    if (!fields.ok()) continue;
    const std::string& version = fields->elements()[0].str();
    const std::string& bytes = fields->elements()[1].str();
    v1::Profile profile;
    EXPECT_TRUE(profile.ParseFromString(bytes)) << key.str();
    EXPECT_EQ(version, std::to_string(profile.version())) << key.str();
    std::string canonical;
    {
      google::protobuf::io::StringOutputStream stream(&canonical);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      profile.SerializeToCodedStream(&coded);
    }
    contents[key.str()] = canonical;
  }
  return contents;
}

v1::Profile ProfileTest::Stored(const std::string& customer_id) {
  absl::StatusOr<std::optional<v1::Profile>> profile = store_->Get(customer_id);
  if (!profile.ok() || !*profile) {
    ADD_FAILURE() << "no stored profile of " << customer_id << ": " << profile.status();
    return {};
  }
  return **profile;
}

std::optional<int64_t> ProfileTest::Applied(const std::string& topic, int32_t partition) {
  absl::StatusOr<std::optional<int64_t>> offset = store_->AppliedOffset(topic, partition);
  EXPECT_TRUE(offset.ok()) << offset.status();
  return offset.ok() ? *offset : std::nullopt;
}

std::vector<kafka::InMemoryProducer::Record> ProfileTest::DeliveredTo(std::string_view topic) const {
  std::vector<kafka::InMemoryProducer::Record> records;
  for (kafka::InMemoryProducer::Record& record : producer_.delivered()) {
    if (record.topic == topic) records.push_back(std::move(record));
  }
  return records;
}

std::map<std::string, v1::Profile> ProfileTest::Snapshots() const {
  std::map<std::string, v1::Profile> snapshots;
  for (const kafka::InMemoryProducer::Record& record : DeliveredTo(kTopics.profiles)) {
    EXPECT_TRUE(snapshots[record.key].ParseFromString(record.value)) << "snapshot of " << record.key;
  }
  return snapshots;
}

uint64_t ProfileTest::CounterValue(std::string_view name) { return metrics_.GetCounter(name, "").value(); }

}  // namespace custflow::profile::test
