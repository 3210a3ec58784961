#include "custflow/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "absl/strings/ascii.h"

namespace custflow::core {
namespace {

struct LogState {
  std::mutex mutex;
  std::string service = "custflow";
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
};

LogState& State() {
  static LogState state;
  return state;
}

bool IsEmailChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '+' ||
         c == '%';
}

// Masks every e-mail address: keeps the first character of the local part and the domain.
std::string MaskEmails(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t start = at;
    while (start > copied && IsEmailChar(text[start - 1])) --start;
    size_t end = at + 1;
    while (end < text.size() && IsEmailChar(text[end])) ++end;
    std::string_view domain = text.substr(at + 1, end - at - 1);
    if (start == at || domain.find('.') == std::string_view::npos) continue;
    out.append(text.substr(copied, start - copied));
    out.push_back(text[start]);
    out.append("***@");
    out.append(domain);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

// "2026-11-23": a date, not a phone number.
bool IsDate(std::string_view run) { return run.size() == 10 && run[4] == '-' && run[7] == '-'; }

// Masks runs of 7+ digits, allowing single spaces, dashes and a leading '+' inside.
std::string MaskPhones(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool starts_run = absl::ascii_isdigit(static_cast<unsigned char>(text[i])) ||
                      (text[i] == '+' && i + 1 < text.size() &&
                       absl::ascii_isdigit(static_cast<unsigned char>(text[i + 1])));
    if (!starts_run) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i + (text[i] == '+' ? 1 : 0);
    std::string digits;
    while (end < text.size()) {
      char c = text[end];
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        digits.push_back(c);
        ++end;
      } else if ((c == ' ' || c == '-') && end + 1 < text.size() &&
                 absl::ascii_isdigit(static_cast<unsigned char>(text[end + 1]))) {
        ++end;
      } else {
        break;
      }
    }
    if (digits.size() >= 7 && !IsDate(text.substr(i, end - i))) {
      out.append("***");
      out.append(digits.substr(digits.size() - 4));
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

void MaskFields(nlohmann::json& value) {
  if (value.is_string()) {
    value = MaskPersonalData(value.get_ref<const std::string&>());
  } else if (value.is_structured()) {
    for (auto& item : value) MaskFields(item);
  }
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return buffer;
}

}  // namespace

std::string MaskPersonalData(std::string_view text) { return MaskPhones(MaskEmails(text)); }

bool ParseLogLevel(std::string_view text, LogLevel& out) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(level)) {
      out = level;
      return true;
    }
  }
  return false;
}

void InitLogging(std::string_view service, LogLevel level) {
  LogState& state = State();
  std::lock_guard lock(state.mutex);
  state.service = service;
  state.level = static_cast<int>(level);
}

void Log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  LogState& state = State();
  if (static_cast<int>(level) < state.level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = NowRfc3339();
  line["level"] = LevelName(level);
  line["msg"] = MaskPersonalData(message);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      nlohmann::json masked = value;
      MaskFields(masked);
      line[key] = std::move(masked);
    }
  }
  std::lock_guard lock(state.mutex);
  line["service"] = state.service;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace custflow::core
