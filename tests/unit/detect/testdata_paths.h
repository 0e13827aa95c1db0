// Where the detection tests find their data: the golden files beside them and the shared
// Invictus CloudTrail set.
#pragma once

#include <string>

namespace ht::detect {

inline std::string testdataDir() {
  return std::string(HT_SOURCE_DIR) + "/tests/unit/detect/testdata";
}

inline std::string invictusDir() {
  return std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset";
}

}  // namespace ht::detect
