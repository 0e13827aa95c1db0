// How bad something is: an OPSEC audit finding, an incident, a route's threshold. One ordered set
// shared by tokens, incidents, alert routing and config, so it lives here, below all of them.
// Enumerators are in ascending order: "at least high" is `s >= Severity::kHigh`.
#pragma once

#include <optional>
#include <string_view>

namespace ht {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical": the text stored, shown and configured.
const char* severityName(Severity s);
// The inverse of severityName, in any letter case (a typed "HIGH" means high); nullopt for any
// other text.
std::optional<Severity> parseSeverity(std::string_view text);

}  // namespace ht
