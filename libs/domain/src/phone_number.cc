// Phone number parsing with libphonenumber behind a sharded cache.
#include "custflow/domain/phone_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace custflow::domain {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

PhoneResult Rejected(std::string reason) {
  PhoneResult result;
  result.error = std::move(reason);
  return result;
}

PhoneResult ParsePhone(const std::string& phone, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  i18n::phonenumbers::PhoneNumber number;
  switch (util.Parse(phone, region, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return Rejected(absl::StrCat("has no known country calling code (default region ", region, ")"));
    case PhoneNumberUtil::NOT_A_NUMBER:
      return Rejected("is not a phone number");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return Rejected("is too short to be a phone number");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return Rejected("is too long to be a phone number");
  }
  if (!util.IsValidNumber(number)) {
    return Rejected(absl::StrCat("is not a valid number for country code +", number.country_code()));
  }
  PhoneResult result;
  util.Format(number, PhoneNumberUtil::E164, &result.e164);
  return result;
}

// Parsing a number with libphonenumber takes about 13 us, more than every other check of an
// event together; callers and web users come back, so results are kept. Each shard starts
// over when full, which bounds memory without bookkeeping on the hot path.
class PhoneCache {
 public:
  PhoneResult Normalize(const std::string& phone, const std::string& region) {
    std::string key = absl::StrCat(region, " ", phone);
    Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
    {
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.results.find(key); it != shard.results.end()) return it->second;
    }
    PhoneResult result = ParsePhone(phone, region);
    std::lock_guard lock(shard.mutex);
    if (shard.results.size() >= kShardCapacity) shard.results.clear();
    shard.results.emplace(std::move(key), result);
    return result;
  }

 private:
  static constexpr size_t kShardCapacity = 4096;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, PhoneResult> results;
  };
  std::array<Shard, 16> shards_;
};

PhoneCache& Phones() {
  static PhoneCache* const cache = new PhoneCache;  // never destroyed: threads may still validate at exit
  return *cache;
}

}  // namespace

PhoneResult NormalizePhoneNumber(const std::string& phone, const std::string& region) {
  return Phones().Normalize(phone, region);
}

}  // namespace custflow::domain
