// The Microsoft Teams output (type teams): an Adaptive Card posted to an incoming webhook, whose
// URL is the credential (url_env), so nothing is signed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// Microsoft Teams incoming webhook: {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","content": AdaptiveCard 1.4}]} with TextBlocks,
// FactSets and an Action.OpenUrl when there is a link.
nlohmann::json teamsPayload(const Story& story);

// Renders teamsPayload and posts it to credentials.url like the webhook output, unsigned.
std::unique_ptr<AlertOutput> makeTeamsOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials);

}  // namespace ht::alert
