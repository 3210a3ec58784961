#include "tools/loadgen/event_id_log.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/run_stats.h"

namespace custflow::loadgen {
namespace {

absl::StatusOr<std::FILE*> OpenOrNull(const std::string& path) {
  if (path.empty()) return nullptr;
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr)
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  return file;
}

// Closes `file` (when open) and says whether everything written to it arrived.
absl::Status CloseFile(std::FILE*& file, const std::string& path) {
  if (file == nullptr) return absl::OkStatus();
  bool failed = std::ferror(file) != 0;
  failed = std::fclose(file) != 0 || failed;
  file = nullptr;
  return failed ? absl::DataLossError(absl::StrCat("writing ", path, " failed")) : absl::OkStatus();
}

}  // namespace

std::string RefusedIdLine(std::string_view event_id, int code) {
  return absl::StrCat(std::string(event_id), " ", CodeName(code), "\n");
}

absl::StatusOr<std::unique_ptr<EventIdLog>> EventIdLog::Open(const std::string& acked_path,
                                                             const std::string& refused_path) {
  absl::StatusOr<std::FILE*> acked = OpenOrNull(acked_path);
  if (!acked.ok()) return acked.status();
  absl::StatusOr<std::FILE*> refused = OpenOrNull(refused_path);
  if (!refused.ok()) {
    if (*acked != nullptr) std::fclose(*acked);
    return refused.status();
  }
  return std::unique_ptr<EventIdLog>(new EventIdLog(*acked, acked_path, *refused, refused_path));
}

EventIdLog::EventIdLog(std::FILE* acked, std::string acked_path, std::FILE* refused, std::string refused_path)
    : acked_(acked),
      acked_path_(std::move(acked_path)),
      refused_(refused),
      refused_path_(std::move(refused_path)) {}

EventIdLog::~EventIdLog() { Close().IgnoreError(); }

void EventIdLog::Acked(std::string_view event_id) {
  std::lock_guard lock(mutex_);
  if (acked_ == nullptr) return;
  std::fwrite(event_id.data(), 1, event_id.size(), acked_);
  std::fputc('\n', acked_);
}

void EventIdLog::Refused(std::string_view event_id, int code) {
  std::lock_guard lock(mutex_);
  if (refused_ == nullptr) return;
  std::string line = RefusedIdLine(event_id, code);
  std::fwrite(line.data(), 1, line.size(), refused_);
}

absl::Status EventIdLog::Close() {
  std::lock_guard lock(mutex_);
  absl::Status acked = CloseFile(acked_, acked_path_);
  absl::Status refused = CloseFile(refused_, refused_path_);
  return acked.ok() ? refused : acked;
}

}  // namespace custflow::loadgen
