#include "services/ingest/identity_resolver.h"

#include "custflow/domain/identity.h"

namespace custflow::ingest {

absl::StatusOr<std::vector<std::string>> RedisIdentityResolver::Resolve(
    const std::vector<const v1::CustomerRef*>& refs) {
  std::vector<std::string> ids(refs.size());
  std::vector<size_t> lookups;  // positions that need the index
  std::vector<domain::Identity> identities;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (!refs[i]->customer_id().empty()) {
      ids[i] = refs[i]->customer_id();
      continue;
    }
    lookups.push_back(i);
    identities.push_back(*domain::PrimaryIdentity(*refs[i]));
  }
  if (lookups.empty()) return ids;
  std::vector<std::string> keys;
  keys.reserve(identities.size());
  for (const domain::Identity& identity : identities) keys.push_back(domain::IdentityIndexKey(identity));
  redis::CommandArgs mget = {"MGET"};
  for (const std::string& key : keys) mget.push_back(key);
  absl::StatusOr<redis::Reply> reply = redis_.Command(mget);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return reply->ToStatus();
  for (size_t j = 0; j < lookups.size(); ++j) {
    const redis::Reply& found = reply->elements()[j];
    ids[lookups[j]] =
        found.is_string() && !found.str().empty() ? found.str() : domain::DeriveCustomerId(identities[j]);
  }
  return ids;
}

}  // namespace custflow::ingest
