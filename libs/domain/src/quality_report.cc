// The quality report (custflow/domain/quality_report.h).
#include "custflow/domain/quality_report.h"

#include <algorithm>
#include <set>
#include <utility>

#include "custflow/domain/customer_cleansing.h"
#include "custflow/domain/duplicates.h"

namespace custflow::domain {
namespace {

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) * 100 / static_cast<double>(whole);
}

}  // namespace

QualityReportBuilder::QualityReportBuilder(std::string default_region)
    : default_region_(std::move(default_region)), filled_(KeyFields().size(), 0) {}

void QualityReportBuilder::Add(const v1::Profile& profile) {
  if (!profile.merged_into().empty()) return;
  const v1::Customer& customer = profile.customer();
  ++customers_;
  std::vector<std::string> missing = MissingKeyFields(customer);
  const std::vector<std::string>& key_fields = KeyFields();
  for (size_t i = 0; i < key_fields.size(); ++i) {
    if (std::find(missing.begin(), missing.end(), key_fields[i]) == missing.end()) ++filled_[i];
  }
  if (missing.empty()) {
    ++complete_;
  } else {
    v1::MissingRecord& record = missing_by_owner_[customer.owner()][customer.customer_id()];
    record.set_customer_id(customer.customer_id());
    record.set_name(customer.name());
    record.mutable_missing_fields()->Assign(missing.begin(), missing.end());
  }
  v1::Customer& identity = identities_.emplace_back();
  identity.set_customer_id(customer.customer_id());
  identity.set_name(customer.name());
  identity.set_contact_phone(customer.contact_phone());
}

v1::QualityReportResponse QualityReportBuilder::Build() const {
  v1::QualityReportResponse report;
  report.set_customers(customers_);
  const std::vector<std::string>& key_fields = KeyFields();
  for (size_t i = 0; i < key_fields.size(); ++i) {
    v1::FieldCompleteness& field = *report.add_fields();
    field.set_field(key_fields[i]);
    field.set_filled(filled_[i]);
    field.set_rate_percent(Percent(filled_[i], customers_));
  }
  report.set_complete_percent(Percent(complete_, customers_));
  report.set_target_percent(kCompletenessTargetPercent);
  for (const auto& [owner, records] : missing_by_owner_) {
    v1::OwnerMissing& owner_missing = *report.add_missing_by_owner();
    owner_missing.set_owner(owner);
    for (const auto& [id, record] : records) *owner_missing.add_records() = record;
  }
  std::vector<v1::DuplicateGroup> groups =
      FindDuplicateGroups(identities_, v1::DUPLICATE_RULE_UNSPECIFIED, default_region_);
  std::set<std::string> duplicates;
  for (const v1::DuplicateGroup& group : groups) {
    duplicates.insert(group.customer_ids().begin(), group.customer_ids().end());
  }
  report.set_duplicate_customers(duplicates.size());
  report.set_duplicate_groups(groups.size());
  return report;
}

}  // namespace custflow::domain
