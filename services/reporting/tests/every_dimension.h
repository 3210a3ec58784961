// Every distribution dimension the proto declares, so tests cover one added later too.
#pragma once

#include <vector>

#include "custflow/v1/reporting.pb.h"

namespace custflow::reporting {

inline std::vector<v1::Dimension> EveryDimension() {
  std::vector<v1::Dimension> every;
  const google::protobuf::EnumDescriptor* dimensions = v1::Dimension_descriptor();
  for (int i = 0; i < dimensions->value_count(); ++i) {
    const auto dimension = static_cast<v1::Dimension>(dimensions->value(i)->number());
    if (dimension != v1::DIMENSION_UNSPECIFIED) every.push_back(dimension);
  }
  return every;
}

}  // namespace custflow::reporting
