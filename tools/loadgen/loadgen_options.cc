#include "tools/loadgen/loadgen_options.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace custflow::loadgen {
namespace {

constexpr const char* kDefaultIngest = "127.0.0.1:17051";
constexpr const char* kDefaultProfile = "127.0.0.1:17052";
constexpr const char* kDefaultUrl = "http://127.0.0.1:17081/v1/events";

absl::Status Bad(const std::string& name, const std::string& value, const std::string& expected) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, " '", value, "': ", expected));
}

absl::Status ParseCount(const std::string& name, const std::string& value, int64_t low, int64_t high,
                        int64_t& out) {
  if (!absl::SimpleAtoi(value, &out) || out < low || out > high) {
    return Bad(name, value, absl::StrCat("expected a whole number from ", low, " to ", high));
  }
  return absl::OkStatus();
}

absl::Status ParseReal(const std::string& name, const std::string& value, double low, double high,
                       double& out) {
  if (!absl::SimpleAtod(value, &out) || !(out >= low && out <= high)) {
    return Bad(name, value, absl::StrCat("expected a number from ", low, " to ", high));
  }
  return absl::OkStatus();
}

template <typename Int>
absl::Status SetCount(const std::string& name, const std::string& value, int64_t low, int64_t high,
                      Int& out) {
  int64_t parsed = 0;
  if (absl::Status status = ParseCount(name, value, low, high, parsed); !status.ok()) return status;
  out = static_cast<Int>(parsed);
  return absl::OkStatus();
}

absl::Status SetSeconds(const std::string& name, const std::string& value,
                        std::chrono::duration<double>& out) {
  double seconds = 0;
  if (absl::Status status = ParseReal(name, value, 0.001, 1e7, seconds); !status.ok()) return status;
  out = std::chrono::duration<double>(seconds);
  return absl::OkStatus();
}

using Setter = std::function<absl::Status(const std::string& value, LoadgenOptions& options)>;

const std::map<std::string, Setter>& ValueOptions() {
  static const auto* options = new std::map<std::string, Setter>{
      {"mode",
       [](const std::string& v, LoadgenOptions& o) {
         static const std::map<std::string, Mode> kModes = {{"stream", Mode::kStream},
                                                            {"batch", Mode::kBatch},
                                                            {"http", Mode::kHttp},
                                                            {"file", Mode::kFile}};
         auto it = kModes.find(v);
         if (it == kModes.end()) return Bad("mode", v, "expected stream, batch, http or file");
         o.mode = it->second;
         return absl::OkStatus();
       }},
      {"target",
       [](const std::string& v, LoadgenOptions& o) {
         o.target = v;
         return absl::OkStatus();
       }},
      {"url",
       [](const std::string& v, LoadgenOptions& o) {
         if (!v.starts_with("http://") && !v.starts_with("https://")) {
           return Bad("url", v, "expected http://host:port/path");
         }
         o.url = v;
         return absl::OkStatus();
       }},
      {"rate", [](const std::string& v, LoadgenOptions& o) { return ParseReal("rate", v, 0, 1e9, o.rate); }},
      {"duration",
       [](const std::string& v, LoadgenOptions& o) {
         std::chrono::duration<double> duration{};
         absl::Status status = SetSeconds("duration", v, duration);
         o.duration = duration;
         return status;
       }},
      {"events",
       [](const std::string& v, LoadgenOptions& o) {
         uint64_t events = 0;
         absl::Status status = SetCount("events", v, 1, int64_t{1} << 40, events);
         o.events = events;
         return status;
       }},
      {"batch",
       [](const std::string& v, LoadgenOptions& o) { return SetCount("batch", v, 1, 100'000, o.batch); }},
      {"concurrency", [](const std::string& v,
                         LoadgenOptions& o) { return SetCount("concurrency", v, 1, 1024, o.concurrency); }},
      {"seed",
       [](const std::string& v, LoadgenOptions& o) {
         if (!absl::SimpleAtoi(v, &o.seed)) return Bad("seed", v, "expected a whole number");
         return absl::OkStatus();
       }},
      {"customers", [](const std::string& v,
                       LoadgenOptions& o) { return SetCount("customers", v, 1, 10'000'000, o.customers); }},
      {"identity-mix", [](const std::string& v,
                          LoadgenOptions& o) { return ParseReal("identity-mix", v, 0, 1, o.identity_mix); }},
      {"output",
       [](const std::string& v, LoadgenOptions& o) {
         o.output = v;
         return absl::OkStatus();
       }},
      {"format",
       [](const std::string& v, LoadgenOptions& o) {
         if (v == "json") {
           o.format = FileFormat::kJson;
         } else if (v == "binary") {
           o.format = FileFormat::kBinary;
         } else {
           return Bad("format", v, "expected json or binary");
         }
         return absl::OkStatus();
       }},
      {"profile-target",
       [](const std::string& v, LoadgenOptions& o) {
         o.profile_target = v;
         return absl::OkStatus();
       }},
      {"run",
       [](const std::string& v, LoadgenOptions& o) {
         if (v.empty() || v.find_first_of(" \t\n") != std::string::npos) {
           return Bad("run", v, "expected a word without spaces");
         }
         o.run = v;
         return absl::OkStatus();
       }},
      {"now",
       [](const std::string& v, LoadgenOptions& o) {
         int64_t now = 0;
         absl::Status status = ParseCount("now", v, 0, int64_t{1} << 40, now);
         o.now = now;
         return status;
       }},
      {"timeout",
       [](const std::string& v, LoadgenOptions& o) { return SetSeconds("timeout", v, o.timeout); }},
      {"drain-timeout", [](const std::string& v,
                           LoadgenOptions& o) { return SetSeconds("drain-timeout", v, o.drain_timeout); }},
      {"max-in-flight",
       [](const std::string& v, LoadgenOptions& o) {
         return SetCount("max-in-flight", v, 1, 10'000'000, o.max_in_flight);
       }},
      {"acked-ids",
       [](const std::string& v, LoadgenOptions& o) {
         if (v.empty()) return Bad("acked-ids", v, "expected a file name");
         o.acked_ids = v;
         return absl::OkStatus();
       }},
      {"refused-ids",
       [](const std::string& v, LoadgenOptions& o) {
         if (v.empty()) return Bad("refused-ids", v, "expected a file name");
         o.refused_ids = v;
         return absl::OkStatus();
       }},
  };
  return *options;
}

std::string EnvOr(const EnvLookup& env, const char* name, const char* fallback) {
  const char* value = env(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Checks that need several options together.
absl::Status CheckCombination(const LoadgenOptions& options) {
  if (options.mode == Mode::kFile && options.output.empty()) {
    return absl::InvalidArgumentError("--mode file needs --output FILE");
  }
  if (options.mode != Mode::kFile && !options.output.empty()) {
    return absl::InvalidArgumentError("--output is only for --mode file");
  }
  // A file run has no server to answer, so there is nothing to record.
  if (options.mode == Mode::kFile && (!options.acked_ids.empty() || !options.refused_ids.empty())) {
    return absl::InvalidArgumentError("--acked-ids and --refused-ids need a server (not --mode file)");
  }
  if (options.max_in_flight < options.batch) {
    return absl::InvalidArgumentError(absl::StrCat("--max-in-flight (", options.max_in_flight,
                                                   ") must be at least --batch (", options.batch, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kStream:
      return "stream";
    case Mode::kBatch:
      return "batch";
    case Mode::kHttp:
      return "http";
    case Mode::kFile:
      return "file";
  }
  return "?";
}

absl::StatusOr<LoadgenOptions> ParseLoadgenOptions(const std::vector<std::string>& args,
                                                   const EnvLookup& env) {
  LoadgenOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    if (arg == "--upsert-customers") {
      options.upsert_customers = true;
      continue;
    }
    if (!arg.starts_with("--")) return absl::InvalidArgumentError(absl::StrCat("unexpected '", arg, "'"));
    std::string name = arg.substr(2, arg.find('=') - 2);
    auto setter = ValueOptions().find(name);
    if (setter == ValueOptions().end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name, " (see --help)"));
    }
    std::string value;
    if (name.size() + 2 < arg.size()) {
      value = arg.substr(name.size() + 3);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
    if (absl::Status status = setter->second(value, options); !status.ok()) return status;
  }
  if (options.target.empty()) options.target = EnvOr(env, "CUSTFLOW_INGEST_ADDRESS", kDefaultIngest);
  if (options.profile_target.empty()) {
    options.profile_target = EnvOr(env, "CUSTFLOW_PROFILE_ADDRESS", kDefaultProfile);
  }
  if (options.url.empty()) options.url = kDefaultUrl;
  if (!options.duration && !options.events) options.duration = std::chrono::seconds(10);
  if (absl::Status status = CheckCombination(options); !status.ok()) return status;
  return options;
}

std::string LoadgenHelp() {
  return R"(custflow-loadgen: sends realistic synthetic interaction events to ingest and measures
how many are acknowledged and how fast.

usage: custflow-loadgen [options]

What to send
  --customers N        customers the events are about (default 1000)
  --seed N             the same seed makes the same customers and events (default 1)
  --identity-mix F     fraction of events naming the customer only by phone, e-mail or
                       visitor id, the rest by customer id (default 0.2)
  --run ID             prefix of customer and event ids (default: lg<start time in ms>, so
                       every run sends new event ids; repeat an ID to test deduplication)
  --now UNIX_SECONDS   the generator's clock (default: now); with --run and --seed it
                       makes the same events byte for byte

Where
  --mode MODE          stream  IngestService.StreamEvents, a long-lived bidirectional stream
                               per worker; results are matched by event id (default)
                       batch   IngestService.PublishBatch, one call per batch (the server
                               takes at most 1,000 events per call)
                       http    POST of a JSON array of events (protobuf JSON mapping) to
                               --url, with keep-alive
                       file    write the events to --output instead of sending them
  --target HOST:PORT   gRPC ingest (default $CUSTFLOW_INGEST_ADDRESS or 127.0.0.1:17051)
  --url URL            HTTP ingest (default http://127.0.0.1:17081/v1/events)
  --output FILE        file mode: where the events go
  --format FORMAT      file mode: json (one event per line, protobuf JSON mapping) or
                       binary (each event as a varint length and the serialized message)
  --upsert-customers   first send every customer to ProfileService.UpsertCustomer
  --profile-target HOST:PORT
                       profile service (default $CUSTFLOW_PROFILE_ADDRESS or 127.0.0.1:17052)
  Every gRPC call and HTTP request sends "Bearer $CUSTFLOW_TOKEN" as its authorization
  when CUSTFLOW_TOKEN is set; the services refuse calls without a token once
  authentication is on (docs/SECURITY.md).

How much and how fast
  --rate N             events per second over all workers, paced batch by batch on a
                       fixed schedule; 0 = as fast as possible (default 1000)
  --duration S         send for S seconds (default 10 unless --events is given)
  --events N           send N events; with --duration, whichever ends first
  --batch N            events per batch, stream message or HTTP request (default 100)
  --concurrency N      parallel streams or clients, each on its own connection (default 1;
                       file mode writes with one)
  --max-in-flight N    stream mode: unanswered events per stream before the sender waits
                       (default 10000)
  --timeout S          per request deadline, and the longest a stream waits without any
                       result before giving up (default 30)
  --drain-timeout S    after the last send, how long to wait for outstanding results
                       (default 10); what is still unanswered then is counted as such

Event ids by outcome (not in file mode), for checking what the stores hold afterwards
  --acked-ids FILE     the id of every acknowledged event, one per line, written as the
                       acknowledgements arrive (complete once the loadgen has exited)
  --refused-ids FILE   "<event id> <gRPC code name>" for every event answered with an
                       error, including the events of a request or stream that failed as
                       a whole (UNAVAILABLE, DEADLINE_EXCEEDED: ingest may have taken them)
  An unanswered event is in neither file.

Report (stdout): events sent, acknowledged, rejected by gRPC status code with the
server's first message for each, duplicates, unanswered, the achieved send and
acknowledge rates, and acknowledgement latency per event (from sending its batch to
receiving its result): p50, p95, p99 and max. The last line is machine-readable:
  loadgen: sent=N acked=N rejected=N rate=R p50_ms=X p99_ms=Y p95_ms=X max_ms=X
           duplicates=N unanswered=N send_rate=R seconds=S        (one line)
rate is acknowledged events per second from the first send to the last result (file
mode: events written per second).

Exit status: 0 every sent event was acknowledged; 1 some were rejected or unanswered;
2 bad options; 3 the run could not go on (the server does not implement the method,
a customer upsert failed, the output file cannot be written).
)";
}

}  // namespace custflow::loadgen
