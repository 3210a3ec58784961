// A Lua script for EVAL/EVALSHA: its source and the SHA1 Redis caches it under.
#pragma once

#include <string>

namespace custflow::redis {

// Built once (typically a static or a member of the service) and reused for every call,
// so the SHA1 is computed once, locally, without a round trip to Redis.
class Script {
 public:
  explicit Script(std::string source);

  const std::string& source() const { return source_; }
  // 40 lowercase hex digits, as SCRIPT LOAD would answer.
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace custflow::redis
