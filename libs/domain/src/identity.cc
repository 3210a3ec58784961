#include "custflow/domain/identity.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

namespace custflow::domain {
namespace {

// FNV-1a, 64 bit: stable across processes, machines and releases (unlike std::hash).
uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

const char* KindName(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kPhone:
      return "phone";
    case IdentityKind::kEmail:
      return "email";
    case IdentityKind::kVisitor:
      return "visitor";
    case IdentityKind::kLogin:
      return "login";
  }
  return "unknown";
}

}  // namespace

std::string Identity::Key() const { return std::string(KindName(kind)) + ":" + value; }

std::string NormalizePhone(std::string_view phone) {
  std::string out;
  phone = Trim(phone);
  if (!phone.empty() && phone.front() == '+') out.push_back('+');
  for (char c : phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out == "+" ? std::string() : out;
}

std::string NormalizeEmail(std::string_view email) {
  std::string out(Trim(email));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<Identity> PrimaryIdentity(const v1::CustomerRef& ref) {
  std::vector<Identity> identities = ReferenceIdentities(ref);  // strongest first
  if (identities.empty()) return std::nullopt;
  return std::move(identities.front());
}

std::string IdentityIndexKey(const Identity& identity) { return "cf:identity:" + identity.Key(); }

std::vector<Identity> MasterDataIdentities(const v1::Customer& customer) {
  std::vector<Identity> out;
  if (std::string phone = NormalizePhone(customer.contact_phone()); !phone.empty()) {
    out.push_back({IdentityKind::kPhone, std::move(phone)});
  }
  if (std::string email = NormalizeEmail(customer.email()); !email.empty()) {
    out.push_back({IdentityKind::kEmail, std::move(email)});
  }
  return out;
}

std::vector<Identity> ReferenceIdentities(const v1::CustomerRef& ref) {
  std::vector<Identity> out;
  if (std::string phone = NormalizePhone(ref.phone()); !phone.empty()) {
    out.push_back({IdentityKind::kPhone, std::move(phone)});
  }
  if (std::string email = NormalizeEmail(ref.email()); !email.empty()) {
    out.push_back({IdentityKind::kEmail, std::move(email)});
  }
  if (std::string_view login = Trim(ref.login_id()); !login.empty()) {
    out.push_back({IdentityKind::kLogin, std::string(login)});
  }
  if (std::string_view visitor = Trim(ref.visitor_id()); !visitor.empty()) {
    out.push_back({IdentityKind::kVisitor, std::string(visitor)});
  }
  return out;
}

std::vector<std::string> ProfileIdentityIndexKeys(const v1::Profile& profile) {
  std::vector<std::string> keys;
  for (const Identity& identity : MasterDataIdentities(profile.customer()))
    keys.push_back(IdentityIndexKey(identity));
  for (const std::string& key : profile.identities()) keys.push_back("cf:identity:" + key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string StableHashHex(std::string_view text) {
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(Fnv1a64(text)));
  return buffer;
}

std::string DeriveCustomerId(const Identity& identity) { return "cu_" + StableHashHex(identity.Key()); }

}  // namespace custflow::domain
