// custflow-loadgen in file mode: the file holds exactly the events the generator makes for
// the same seed, run and clock, in order, in either format; the rate holds; bad options
// and unwritable files end the run with a clear message and their own exit status.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/delimited_message_util.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "custflow/sample/sample_generator.h"
#include "tests/support/local_process.h"
#include "tools/loadgen/tests/loadgen_runner.h"

namespace custflow::loadgen {
namespace {

constexpr int64_t kNow = 1'717'200'000;

// The loadgen options that pin the generator, and the generator they pin.
std::vector<std::string> PinnedArgs() {
  return {"--seed", "5",     "--customers", "40",    "--identity-mix",
          "0.3",    "--run", "filetest",    "--now", std::to_string(kNow)};
}

sample::SampleGenerator PinnedGenerator() {
  return sample::SampleGenerator({.seed = 5,
                                  .run = "filetest",
                                  .customers = 40,
                                  .identity_mix = 0.3,
                                  .now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow))});
}

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<v1::Interaction> ReadJsonLines(const std::filesystem::path& file) {
  std::vector<v1::Interaction> events;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    v1::Interaction event;
    auto status = google::protobuf::util::JsonStringToMessage(line, &event);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << line;
    events.push_back(std::move(event));
  }
  return events;
}

std::string Contents(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<v1::Interaction> ReadDelimited(const std::filesystem::path& file) {
  std::string bytes = Contents(file);
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  std::vector<v1::Interaction> events;
  while (input.CurrentPosition() < static_cast<int>(bytes.size())) {
    int at = input.CurrentPosition();
    v1::Interaction event;
    if (!google::protobuf::util::ParseDelimitedFromCodedStream(&event, &input, nullptr)) {
      ADD_FAILURE() << "no complete event at byte " << at << " of " << bytes.size();
      break;
    }
    events.push_back(std::move(event));
  }
  return events;
}

void ExpectGeneratedEvents(const std::vector<v1::Interaction>& events, size_t count) {
  ASSERT_EQ(events.size(), count);
  sample::SampleGenerator generator = PinnedGenerator();
  for (size_t i = 0; i < count; ++i) {
    v1::Interaction expected = generator.Event(i);
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(events[i], expected))
        << "event " << i << "\n got      " << events[i].ShortDebugString() << "\n expected "
        << expected.ShortDebugString();
  }
}

TEST(LoadgenFile, JsonLinesParseBackIntoTheGeneratedEvents) {
  custflow::testing::TempDir dir("loadgen-file");
  auto run =
      RunLoadgen(With(PinnedArgs(), {"--mode", "file", "--output", (dir.path() / "events.ndjson").string(),
                                     "--events", "1000", "--rate", "0", "--batch", "64"}));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.Number("sent"), 1000);
  EXPECT_EQ(run.Number("acked"), 1000);
  EXPECT_EQ(run.Number("rejected"), 0);
  ExpectGeneratedEvents(ReadJsonLines(dir.path() / "events.ndjson"), 1000);
}

TEST(LoadgenFile, LengthDelimitedBinaryParsesBackIntoTheGeneratedEvents) {
  custflow::testing::TempDir dir("loadgen-file");
  auto run =
      RunLoadgen(With(PinnedArgs(), {"--mode", "file", "--output", (dir.path() / "events.bin").string(),
                                     "--format", "binary", "--events", "1000", "--rate", "0"}));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ExpectGeneratedEvents(ReadDelimited(dir.path() / "events.bin"), 1000);
}

TEST(LoadgenFile, TheSamePinnedRunWritesTheSameBytesWhateverTheBatchSize) {
  custflow::testing::TempDir dir("loadgen-file");
  for (const char* format : {"json", "binary"}) {
    for (auto [name, batch] : {std::pair{"a", "7"}, {"b", "500"}}) {
      auto run = RunLoadgen(
          With(PinnedArgs(), {"--mode", "file", "--output", (dir.path() / name).string(), "--format", format,
                              "--events", "777", "--rate", "0", "--batch", batch}));
      ASSERT_EQ(run.exit_code, 0) << run.output;
    }
    std::string first = Contents(dir.path() / "a");
    EXPECT_FALSE(first.empty());
    EXPECT_TRUE(first == Contents(dir.path() / "b")) << format << " files differ";
  }
}

TEST(LoadgenFile, APacedRunHoldsItsRateAndEndsOnTime) {
  custflow::testing::TempDir dir("loadgen-file");
  auto run = RunLoadgen({"--mode", "file", "--output", (dir.path() / "paced.ndjson").string(), "--rate",
                         "4000", "--duration", "1.5", "--batch", "40", "--customers", "20"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.Number("sent"), 6000);
  EXPECT_NEAR(run.Number("send_rate"), 4000, 200) << run.output;
  EXPECT_LT(run.elapsed, std::chrono::seconds(5));
  EXPECT_GT(run.elapsed, std::chrono::milliseconds(1400));
}

TEST(LoadgenFile, BadOptionsExitWithTwoNamingTheOption) {
  auto run = RunLoadgen({"--mode", "udp"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("--mode 'udp'"), std::string::npos) << run.output;
}

TEST(LoadgenFile, AnUnwritableOutputExitsWithThreeNamingTheFile) {
  auto run = RunLoadgen({"--mode", "file", "--output", "/nonexistent-dir/events.ndjson", "--events", "10"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.output.find("cannot open /nonexistent-dir/events.ndjson"), std::string::npos) << run.output;
}

TEST(LoadgenFile, HelpDocumentsEveryOption) {
  auto run = RunLoadgen({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  for (const char* option : {"--mode", "--target", "--url", "--rate", "--duration", "--events", "--batch",
                             "--concurrency", "--seed", "--customers", "--identity-mix", "--output",
                             "--format", "--upsert-customers", "--profile-target"}) {
    EXPECT_NE(run.output.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace custflow::loadgen
