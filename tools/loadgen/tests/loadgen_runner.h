// Runs the custflow-loadgen binary for the integration tests and reads its report.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace custflow::loadgen {

struct LoadgenRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
  std::chrono::duration<double> elapsed{};
  // The fields of the final "loadgen: k=v ..." line; empty when there is none.
  std::map<std::string, std::string> summary;

  double Number(const std::string& key) const;
};

// Runs the binary with `args` and waits for it to exit.
LoadgenRun RunLoadgen(const std::vector<std::string>& args);

}  // namespace custflow::loadgen
