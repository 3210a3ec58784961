#include "custflow/domain/customer_type.h"

namespace custflow::domain {

std::string_view CustomerTypeWord(v1::CustomerType type) {
  switch (type) {
    case v1::CUSTOMER_TYPE_POTENTIAL:
      return "potential";
    case v1::CUSTOMER_TYPE_CLOSED:
      return "closed";
    case v1::CUSTOMER_TYPE_LOST:
      return "lost";
    default:
      return "";
  }
}

std::optional<v1::CustomerType> CustomerTypeFromWord(std::string_view word) {
  for (v1::CustomerType type :
       {v1::CUSTOMER_TYPE_POTENTIAL, v1::CUSTOMER_TYPE_CLOSED, v1::CUSTOMER_TYPE_LOST}) {
    if (word == CustomerTypeWord(type)) return type;
  }
  return std::nullopt;
}

}  // namespace custflow::domain
