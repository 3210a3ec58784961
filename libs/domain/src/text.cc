// Text checks and foldings (custflow/domain/text.h).
#include "custflow/domain/text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "absl/strings/ascii.h"

namespace custflow::domain {
namespace {

// The lead byte of a multi-byte UTF-8 sequence: its marker bits, the sequence length and
// the smallest code point that needs that length (anything smaller is an overlong form).
struct Utf8Lead {
  unsigned char mask;
  unsigned char marker;
  size_t length;
  uint32_t smallest;
};
constexpr Utf8Lead kUtf8Leads[] = {{0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};

constexpr std::string_view kNoBreakSpace = "\u00A0";
constexpr std::string_view kIdeographicSpace = "\u3000";

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The length of the white space `text` starts with (0 when none), in bytes.
size_t LeadingSpace(std::string_view text) {
  if (text.empty()) return 0;
  if (absl::ascii_isspace(static_cast<unsigned char>(text.front()))) return 1;
  if (text.starts_with(kNoBreakSpace)) return kNoBreakSpace.size();
  if (text.starts_with(kIdeographicSpace)) return kIdeographicSpace.size();
  return 0;
}

size_t TrailingSpace(std::string_view text) {
  if (text.empty()) return 0;
  if (absl::ascii_isspace(static_cast<unsigned char>(text.back()))) return 1;
  if (text.ends_with(kNoBreakSpace)) return kNoBreakSpace.size();
  if (text.ends_with(kIdeographicSpace)) return kIdeographicSpace.size();
  return 0;
}

std::vector<std::string_view> SplitDots(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t dot; (dot = text.find('.')) != std::string_view::npos; text.remove_prefix(dot + 1)) {
    parts.push_back(text.substr(0, dot));
  }
  parts.push_back(text);
  return parts;
}

bool IsEmailLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  for (std::string_view atom : SplitDots(local)) {
    if (atom.empty()) return false;
    for (char c : atom) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= ' ' || u == 0x7F || std::string_view("\"(),:;<>[\\]").find(c) != std::string_view::npos) {
        return false;
      }
    }
  }
  return true;
}

// Letters, digits and hyphens per label, or UTF-8 for internationalized names.
bool IsEmailDomain(std::string_view domain) {
  std::vector<std::string_view> labels = SplitDots(domain);
  if (domain.size() > 253 || labels.size() < 2) return false;
  return std::all_of(labels.begin(), labels.end(), [](std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
             static_cast<unsigned char>(c) >= 0x80;
    });
  });
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    const Utf8Lead* lead = std::find_if(std::begin(kUtf8Leads), std::end(kUtf8Leads),
                                        [byte](const Utf8Lead& l) { return (byte & l.mask) == l.marker; });
    if (lead == std::end(kUtf8Leads) || text.size() - i < lead->length) return false;
    uint32_t code_point = byte & ~lead->mask & 0xFF;
    for (size_t k = 1; k < lead->length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < lead->smallest || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += lead->length;
  }
  return true;
}

size_t Utf8Length(std::string_view text) {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuation(c); }));
}

std::string TrimSpace(std::string_view text) {
  while (size_t n = LeadingSpace(text)) text.remove_prefix(n);
  while (size_t n = TrailingSpace(text)) text.remove_suffix(n);
  return std::string(text);
}

std::string ToHalfWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    // U+FF01-U+FF5E are EF BC 81 - EF BD 9E in UTF-8; U+3000 is E3 80 80.
    if (text.substr(i).starts_with(kIdeographicSpace)) {
      out.push_back(' ');
      i += kIdeographicSpace.size();
      continue;
    }
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF && IsContinuation(text[i + 1]) &&
        IsContinuation(text[i + 2])) {
      uint32_t code_point = 0xF000 | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                            (static_cast<unsigned char>(text[i + 2]) & 0x3F);
      if (code_point >= 0xFF01 && code_point <= 0xFF5E) {
        out.push_back(static_cast<char>(code_point - 0xFF01 + 0x21));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

bool IsEmailAddress(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at != email.rfind('@') || email.size() > 254) return false;
  return IsEmailLocalPart(email.substr(0, at)) && IsEmailDomain(email.substr(at + 1));
}

}  // namespace custflow::domain
