#include "services/ingest/event_validation.h"

#include "custflow/domain/identity.h"

namespace custflow::ingest {
namespace {

void Add(std::vector<v1::FieldViolation>& out, const std::string& path, const char* field, std::string reason) {
  v1::FieldViolation& violation = out.emplace_back();
  violation.set_field(path.empty() ? field : path + "." + field);
  violation.set_description(std::move(reason));
}

}  // namespace

std::vector<v1::FieldViolation> ValidateAndNormalize(v1::Interaction& event, const ValidationOptions&,
                                                     const std::string& path) {
  std::vector<v1::FieldViolation> out;
  if (event.event_id().empty()) {
    Add(out, path, "event_id", "is required");
  } else if (event.event_id().size() > kMaxEventIdBytes) {
    Add(out, path, "event_id", "is longer than 128 bytes");
  }
  if (event.customer().customer_id().empty() && !domain::PrimaryIdentity(event.customer()).has_value()) {
    Add(out, path, "customer", "needs a customer_id, phone, email, login_id or visitor_id");
  }
  if (event.type() == v1::INTERACTION_TYPE_UNSPECIFIED) Add(out, path, "type", "is required");
  if (!event.has_occurred_at()) Add(out, path, "occurred_at", "is required");
  if (event.amount().amount_minor() < 0) Add(out, path, "amount.amount_minor", "must not be negative");
  if (event.has_satisfaction() && (event.satisfaction() < 1 || event.satisfaction() > 5)) {
    Add(out, path, "satisfaction", "must be between 1 and 5");
  }
  return out;
}

}  // namespace custflow::ingest
