#include "custflow/domain/identity.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

v1::CustomerRef Ref(std::string phone, std::string email, std::string login, std::string visitor) {
  v1::CustomerRef ref;
  ref.set_phone(phone);
  ref.set_email(email);
  ref.set_login_id(login);
  ref.set_visitor_id(visitor);
  return ref;
}

TEST(Identity, PhoneIsPreferredAndNormalized) {
  auto identity = PrimaryIdentity(Ref(" +86 138-0013-8000 ", "a@b.cn", "u1", "v1"));
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->Key(), "phone:+8613800138000");
}

TEST(Identity, FallsBackToEmailThenLoginThenVisitor) {
  EXPECT_EQ(PrimaryIdentity(Ref("", " Zhang@Example.COM ", "u1", "v1"))->Key(), "email:zhang@example.com");
  EXPECT_EQ(PrimaryIdentity(Ref("", "", "u1", "v1"))->Key(), "login:u1");
  EXPECT_EQ(PrimaryIdentity(Ref("", "", "", "v1"))->Key(), "visitor:v1");
  EXPECT_FALSE(PrimaryIdentity(Ref("  ", "", "", "")).has_value());
}

TEST(Identity, DerivedIdIsStableAndDistinctPerKind) {
  // Golden values (FNV-1a 64 of the key): a change would orphan every stored derived id.
  EXPECT_EQ(DeriveCustomerId(Identity{IdentityKind::kPhone, "+8613800138000"}), "cu_262c3b00c6674d9a");
  EXPECT_EQ(DeriveCustomerId(Identity{IdentityKind::kVisitor, "v1"}), "cu_51c6abeb4e4e710c");
  EXPECT_NE(DeriveCustomerId(Identity{IdentityKind::kPhone, "v1"}),
            DeriveCustomerId(Identity{IdentityKind::kVisitor, "v1"}));
}

TEST(Identity, MasterDataGivesNormalizedPhoneAndEmailIndexKeys) {
  v1::Customer customer;
  customer.set_contact_phone("+86 138 0013 8000");
  customer.set_email(" Li@Example.com");
  std::vector<Identity> identities = MasterDataIdentities(customer);
  ASSERT_EQ(identities.size(), 2u);
  EXPECT_EQ(IdentityIndexKey(identities[0]), "cf:identity:phone:+8613800138000");
  EXPECT_EQ(IdentityIndexKey(identities[1]), "cf:identity:email:li@example.com");
  EXPECT_TRUE(MasterDataIdentities(v1::Customer()).empty());
}

}  // namespace
}  // namespace custflow::domain
