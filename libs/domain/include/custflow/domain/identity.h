// Identities and canonical customer ids. An event may name its customer only by phone,
// e-mail, visitor id or login id; the first time such an identity is seen it gets a
// deterministic id, so that every ingest replica computes the same one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::domain {

enum class IdentityKind { kPhone, kEmail, kVisitor, kLogin };

struct Identity {
  IdentityKind kind;
  std::string value;  // normalized

  // "phone:+8613800138000", the form used as a key and hashed into ids.
  std::string Key() const;
};

// The strongest identity a reference carries, normalized: phone, then e-mail, then
// login id, then visitor id. Empty when the reference has none.
std::optional<Identity> PrimaryIdentity(const v1::CustomerRef& ref);

// The Redis key of the identity index entry for `identity` ("cf:identity:phone:+86..."),
// kept by the profile service and read by ingest.
std::string IdentityIndexKey(const Identity& identity);

// The identities a customer's master data gives (contact phone, e-mail), normalized.
std::vector<Identity> MasterDataIdentities(const v1::Customer& customer);

// Every identity a reference carries, normalized, strongest first: phone, e-mail, login
// id, visitor id.
std::vector<Identity> ReferenceIdentities(const v1::CustomerRef& ref);

// The identity index keys that lead to a profile: its master data identities and the
// identities its events carried (Profile.identities), without repeats, sorted.
std::vector<std::string> ProfileIdentityIndexKeys(const v1::Profile& profile);

// 16 hex digits of a 64-bit hash of `text` that is the same in every process, machine and
// release: for ids derived from content.
std::string StableHashHex(std::string_view text);

// "cu_" + StableHashHex of the identity's key.
std::string DeriveCustomerId(const Identity& identity);

// Phone: digits only, keeping a leading '+'. (Full E.164 normalization belongs to ingest
// validation.)
std::string NormalizePhone(std::string_view phone);
// E-mail: trimmed and lower-cased.
std::string NormalizeEmail(std::string_view email);

}  // namespace custflow::domain
