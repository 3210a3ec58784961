// Structured JSON logs, one object per line on stderr, without personal data: phone
// numbers and e-mail addresses in messages and string fields are masked before writing.
#pragma once

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace custflow::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Masks e-mail addresses ("zhang.san@example.com" -> "z***@example.com") and phone-like
// digit runs of 7 or more digits, keeping the last four ("+86 138 0013 8000" -> "***8000").
std::string MaskPersonalData(std::string_view text);

// Parses "debug", "info", "warn" or "error".
bool ParseLogLevel(std::string_view text, LogLevel& out);

// Process-wide settings: the service name on every line and the lowest level written.
void InitLogging(std::string_view service, LogLevel level);

// Writes one line: {"ts":..., "level":..., "service":..., "msg":..., <fields>}.
void Log(LogLevel level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());

inline void LogDebug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kError, m, f);
}

}  // namespace custflow::core
