// The one interface of the configured alert outputs (alerts.outputs.NAME), after Falco's
// abstract_output: each type is one file pair in this folder that both renders its message and
// sends it, and alert/outputs.h is the registry that builds them by type. The body is rendered
// once, when the notification is written to the outbox, so that every retry sends the same
// bytes; credentials are added at delivery time and never stored in the outbox.
#pragma once

#include <string>

#include "alert/dispatcher.h"
#include "alert/story.h"
#include "core/clock.h"

namespace ht::alert {

// What an output needs from the environment, resolved once when outputs are built
// (resolveCredentials in alert/outputs.h).
struct OutputCredentials {
  std::string url;     // url_env's value when set, else options.url
  std::string secret;  // secret_env's value ("" when secret_env is unset)
};

class AlertOutput : public Output {
 public:
  // The body the outbox stores for this story. It depends on the output's configuration only,
  // never on its credentials, so an output built without them renders the same bytes: that is
  // how renderBody serves the router, which holds no credentials. now dates the message (email
  // Date, syslog TIMESTAMP); hostname is the HOSTNAME of syslog lines.
  virtual std::string render(const Story& story, TimePoint now,
                             const std::string& hostname) const = 0;

  // deliver(), from Output, sends a body that render() produced: one attempt per call, with the
  // credentials added here and never put into DeliveryResult::error.
};

}  // namespace ht::alert
