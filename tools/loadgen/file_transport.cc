// File mode: the events go to a file instead of a server, one worker in event order, as
// NDJSON (one event per line in the protobuf JSON mapping) or as length-delimited binary
// (varint size, then the serialized event: protobuf's delimited format).
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/event_encoding.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

class FileTransport final : public Transport {
 public:
  FileTransport(const LoadContext& context, std::ofstream out) : context_(context), out_(std::move(out)) {}

  absl::Status RunWorker(int, RunStats& stats) override {
    while (std::optional<PreparedBatch> batch = NextBatch(context_)) {
      for (const v1::Interaction& event : batch->events) {
        if (absl::Status status = Write(event); !status.ok()) return status;
      }
      out_.flush();
      if (!out_) return WriteError();
      Clock::time_point now = Clock::now();
      stats.RecordSend(now, batch->events.size());
      stats.acked += batch->events.size();
      stats.last_result = now;
      context_.live.sent.fetch_add(batch->events.size(), std::memory_order_relaxed);
      context_.live.acked.fetch_add(batch->events.size(), std::memory_order_relaxed);
    }
    out_.close();
    return out_ ? absl::OkStatus() : WriteError();
  }

  bool measures_latency() const override { return false; }

 private:
  absl::Status Write(const v1::Interaction& event) {
    if (context_.options.format == FileFormat::kBinary) {
      return WriteDelimited(event, out_).ok() ? absl::OkStatus() : WriteError();
    }
    json_.clear();
    if (absl::Status status = AppendJson(event, json_); !status.ok()) return status;
    json_.push_back('\n');
    out_.write(json_.data(), static_cast<std::streamsize>(json_.size()));
    return out_ ? absl::OkStatus() : WriteError();
  }

  absl::Status WriteError() const {
    return absl::DataLossError(
        absl::StrCat("cannot write ", context_.options.output, ": ", std::strerror(errno)));
  }

  const LoadContext& context_;
  std::ofstream out_;
  std::string json_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> MakeFileTransport(const LoadContext& context) {
  std::ofstream out(context.options.output, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", context.options.output, " for writing: ", std::strerror(errno)));
  }
  return std::make_unique<FileTransport>(context, std::move(out));
}

}  // namespace custflow::loadgen
