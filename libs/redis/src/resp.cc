// AppendRespCommand: "*<count>\r\n" then "$<length>\r\n<bytes>\r\n" per argument.
#include "resp.h"

#include <charconv>

namespace custflow::redis::internal {
namespace {

void AppendHeader(char kind, size_t number, std::string& out) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.push_back(kind);
  out.append(digits, end);
  out.append("\r\n");
}

}  // namespace

void AppendRespCommand(absl::Span<const std::string_view> args, std::string& out) {
  AppendHeader('*', args.size(), out);
  for (std::string_view arg : args) {
    AppendHeader('$', arg.size(), out);
    out.append(arg);
    out.append("\r\n");
  }
}

}  // namespace custflow::redis::internal
