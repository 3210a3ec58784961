// custflow-kafka-broker: the local Kafka broker for development and tests. It runs
// librdkafka's mock cluster, which speaks the Kafka protocol on loopback and keeps data in
// memory. librdkafka 2.0.2 lets the mock cluster pick ephemeral ports and has no way to
// fix them, so the program announces its address on stdout and in --bootstrap-file.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr char kUsage[] =
    "Usage: custflow-kafka-broker [options]\n"
    "Runs an in-memory Kafka-protocol broker (librdkafka mock cluster) on 127.0.0.1\n"
    "until SIGTERM or SIGINT. Ports are chosen by the system; the address is printed\n"
    "as 'bootstrap.servers=<addr>' on stdout and written to --bootstrap-file.\n"
    "\n"
    "Options:\n"
    "  --brokers N              number of brokers (default 1)\n"
    "  --partitions N           partitions per topic (default 6)\n"
    "  --topics a,b,c           topics to create (default the four custflow topics)\n"
    "  --bootstrap-file PATH    write the bootstrap address and a newline to PATH\n"
    "                           (atomically) once the brokers accept connections\n"
    "  --help                   print this text\n"
    "Signals: SIGTERM/SIGINT stop; SIGUSR1 takes every broker down (connections refused,\n"
    "data kept) and SIGUSR2 brings them back, for fault tests.\n";

struct BrokerOptions {
  int brokers = 1;
  int partitions = 6;
  std::vector<std::string> topics = {"custflow.interactions.v1", "custflow.commands.v1",
                                     "custflow.profiles.v1", "custflow.deadletter.v1"};
  std::string bootstrap_file;
  bool help = false;
};

std::optional<int> ParsePositive(std::string_view text, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> SplitTopics(std::string_view list) {
  std::vector<std::string> topics;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view topic = list.substr(0, comma);
    if (!topic.empty()) topics.emplace_back(topic);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return topics;
}

// Returns an error message, or nothing when `args` parsed into `options`.
std::optional<std::string> ParseArgs(const std::vector<std::string_view>& args, BrokerOptions& options) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      return std::nullopt;
    }
    if (flag != "--brokers" && flag != "--partitions" && flag != "--topics" && flag != "--bootstrap-file") {
      return "unknown option '" + std::string(flag) + "'";
    }
    if (i + 1 == args.size()) return "option " + std::string(flag) + " needs a value";
    std::string_view value = args[++i];
    if (flag == "--brokers" || flag == "--partitions") {
      std::optional<int> number = ParsePositive(value, 10000);
      if (!number) {
        return "option " + std::string(flag) + " needs a positive number, got '" + std::string(value) + "'";
      }
      (flag == "--brokers" ? options.brokers : options.partitions) = *number;
    } else if (flag == "--topics") {
      options.topics = SplitTopics(value);
      if (options.topics.empty()) return "option --topics needs at least one topic name";
    } else {
      options.bootstrap_file = std::string(value);
    }
  }
  return std::nullopt;
}

// Writes `content` to a temporary file beside `path` and renames it over `path`, so a
// reader never sees a partial address.
bool WriteFileAtomically(const std::filesystem::path& path, const std::string& content, std::string& error) {
  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      error = "cannot write " + temp.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    error = "cannot rename " + temp.string() + " to " + path.string() + ": " + ec.message();
    std::filesystem::remove(temp, ec);
    return false;
  }
  return true;
}

// The rd_kafka_t handle the mock cluster needs for its bookkeeping; it never connects.
// Its log level hides the notice that it has no bootstrap.servers, which would only
// confuse a reader of the broker's log; warnings and errors still show.
rd_kafka_t* NewHostClient(std::string& error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  if (rd_kafka_conf_set(conf, "client.id", "custflow-kafka-broker", errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
    return nullptr;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
  }
  return rk;
}

// librdkafka 2.0.2's mock thread serves its request queue before it drains its wake-up
// pipe, so a request queued right after the previous reply loses its wake-up and waits
// for the thread's 1 s tick (startup took 1 s in every other run). A short pause between
// requests lets the thread get back to waiting first.
bool CreateTopics(rd_kafka_mock_cluster_t* cluster, const BrokerOptions& options, std::string& error) {
  int replication = std::min(options.brokers, 3);
  for (const std::string& topic : options.topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), options.partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "cannot create topic " + topic + ": " + rd_kafka_err2str(err);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "custflow-kafka-broker: %s\n", message.c_str());
  return 1;
}

int Run(const BrokerOptions& options, const sigset_t& stop_signals) {
  std::string error;
  rd_kafka_t* host = NewHostClient(error);
  if (host == nullptr) return Fail("cannot create librdkafka client: " + error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, options.brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(host);
    return Fail("cannot start the mock cluster (see the librdkafka log above)");
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  bool ready = CreateTopics(cluster, options, error) &&
               (options.bootstrap_file.empty() ||
                WriteFileAtomically(options.bootstrap_file, bootstrap + "\n", error));
  int exit_code = 0;
  if (ready) {
    std::printf("bootstrap.servers=%s\n", bootstrap.c_str());
    std::fflush(stdout);
    for (int signal_number = 0; sigwait(&stop_signals, &signal_number) == 0;) {
      if (signal_number != SIGUSR1 && signal_number != SIGUSR2) break;
      for (int32_t broker = 1; broker <= options.brokers; ++broker) {
        signal_number == SIGUSR1 ? rd_kafka_mock_broker_set_down(cluster, broker)
                                 : rd_kafka_mock_broker_set_up(cluster, broker);
      }
      std::printf("brokers %s\n", signal_number == SIGUSR1 ? "down" : "up");
      std::fflush(stdout);
    }
  } else {
    exit_code = Fail(error);
  }
  if (!options.bootstrap_file.empty()) {
    std::error_code ignored;
    std::filesystem::remove(options.bootstrap_file, ignored);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  BrokerOptions options;
  if (std::optional<std::string> error = ParseArgs(args, options)) {
    std::fprintf(stderr, "custflow-kafka-broker: %s\n\n%s", error->c_str(), kUsage);
    return 2;
  }
  if (options.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  // Blocked before librdkafka starts its threads, so they inherit the mask and the
  // signals reach only sigwait() in Run().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGUSR1);
  sigaddset(&stop_signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return Run(options, stop_signals);
}
