#include "core/severity.h"

#include "core/strings.h"

namespace ht {

const char* severityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> parseSeverity(std::string_view text) {
  const std::string lower = toLower(text);
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (lower == severityName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace ht
