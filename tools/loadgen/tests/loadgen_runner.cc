#include "tools/loadgen/tests/loadgen_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace custflow::loadgen {
namespace {

std::string Quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::map<std::string, std::string> ParseSummary(const std::string& output) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("loadgen: ")) continue;
    fields.clear();
    std::istringstream words(line.substr(9));
    std::string word;
    while (words >> word) {
      size_t equals = word.find('=');
      if (equals != std::string::npos) fields[word.substr(0, equals)] = word.substr(equals + 1);
    }
  }
  return fields;
}

}  // namespace

double LoadgenRun::Number(const std::string& key) const {
  auto it = summary.find(key);
  if (it == summary.end()) throw std::runtime_error("no " + key + " in the summary line:\n" + output);
  return std::stod(it->second);
}

LoadgenRun RunLoadgen(const std::vector<std::string>& args) {
  std::string command = Quote(CUSTFLOW_LOADGEN_BIN);
  for (const std::string& arg : args) command += " " + Quote(arg);
  command += " 2>&1";
  LoadgenRun run;
  auto started = std::chrono::steady_clock::now();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, read);
  int status = pclose(pipe);
  run.elapsed = std::chrono::steady_clock::now() - started;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.summary = ParseSummary(run.output);
  return run;
}

}  // namespace custflow::loadgen
