// The ids of the events a run sent, by outcome, for checks that compare what ingest
// answered with what the stores hold: one file of acknowledged ids, one of refused ids with
// the gRPC code they were refused with. Events without an answer are in neither.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace custflow::loadgen {

// One line of the refused-ids file: "<event id> <gRPC code name>\n".
std::string RefusedIdLine(std::string_view event_id, int code);

// Writes the ids as the results arrive (shared by every worker, so it locks); the lines
// are buffered and reach the files at the latest on Close.
class EventIdLog {
 public:
  // Opens (truncates) the files; an empty path writes nothing for that outcome.
  static absl::StatusOr<std::unique_ptr<EventIdLog>> Open(const std::string& acked_path,
                                                          const std::string& refused_path);
  ~EventIdLog();
  EventIdLog(const EventIdLog&) = delete;
  EventIdLog& operator=(const EventIdLog&) = delete;

  void Acked(std::string_view event_id);
  void Refused(std::string_view event_id, int code);
  // Flushes and closes both files; an error names the file that could not be written.
  absl::Status Close();

 private:
  EventIdLog(std::FILE* acked, std::string acked_path, std::FILE* refused, std::string refused_path);

  std::mutex mutex_;
  std::FILE* acked_;
  std::string acked_path_;
  std::FILE* refused_;
  std::string refused_path_;
};

}  // namespace custflow::loadgen
