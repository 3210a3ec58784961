// Script: computes the SHA1 that EVALSHA needs once, at construction.
#include "custflow/redis/script.h"

#include <utility>

#include "sha1.h"

namespace custflow::redis {

Script::Script(std::string source) : source_(std::move(source)), sha1_(internal::Sha1Hex(source_)) {}

}  // namespace custflow::redis
