// The Slack output (type slack): a Block Kit message posted to an incoming webhook, whose URL is
// the credential (url_env), so nothing is signed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// Slack incoming webhook: {"text": fallback, "blocks": [...]} with Block Kit header, section
// (mrkdwn, each text at most 3000 characters), fields (at most 10 per section), context and
// divider blocks; at most 50 blocks.
nlohmann::json slackPayload(const Story& story);

// Renders slackPayload and posts it to credentials.url like the webhook output, unsigned.
std::unique_ptr<AlertOutput> makeSlackOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials);

}  // namespace ht::alert
