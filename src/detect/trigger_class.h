// How an event involves a honey token. A closed set: detection, incidents and routing compare the
// enum; the text ("used", "session-used", ...) exists only in storage, JSON, config and the CLI.
#pragma once

#include <optional>
#include <string_view>

namespace ht::detect {

enum class TriggerClass {
  kUsed,         // the caller authenticated with the honey key (userIdentity.accessKeyId)
  kSessionUsed,  // the caller is the honey user acting with temporary (ASIA) credentials
  kTouched,      // the key or user only appears in request or response data (low severity)
  kExposed,      // AWS attached AWSCompromisedKeyQuarantine* to the honey user: found in public
};

// "used", "session-used", "touched", "exposed": the text stored and shown.
const char* triggerClassName(TriggerClass c);
// The inverse of triggerClassName; nullopt for any other text.
std::optional<TriggerClass> parseTriggerClass(std::string_view text);

}  // namespace ht::detect
