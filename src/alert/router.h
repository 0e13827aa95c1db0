// Alert routing: for each incident change, which routes match (token tags, placement fields,
// trigger class, severity), what quiet rules and throttles hold back, and the outbox items that
// result — a notification per output, rendered from the whole story, and the route's response
// actions in their modes. Everything it decides not to send is written on the incident's
// timeline, so that a silence can always be explained.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "incidents/incidents.h"
#include "alert/story.h"
#include "config/options.h"
#include "core/clock.h"
#include "detect/trigger_store.h"
#include "incidents/incident_store.h"
#include "incidents/incidents.h"
#include "tokens/token_store.h"

namespace ht::alert {

// What the router reads: the token with its placements and custody, the incident's triggers, and
// the outbox (throttles count what a route announced). One back-end usually provides all three.
struct RouterStorage {
  tokens::TokenStore& tokens;
  detect::TriggerStore& triggers;
  incidents::OutboxStore& outbox;
  template <class Backend>
  static RouterStorage of(Backend& b) {
    return {b, b, b};
  }
};

// Everything an alert says about an incident, read from the store: token, placements, chain of
// custody, the calls and callers of its triggers (plus `extra`, the trigger being grouped right
// now, which the store does not link yet), and the runbook for the token's class.
Result<Story> buildStory(const RouterStorage& store, const incidents::Incident& incident,
                         incidents::AnnouncementKind kind, const std::string& what_is_new,
                         const detect::TriggerRecord* extra, const config::AlertsOptions& options,
                         const std::map<std::string, std::string>& runbooks);

// The token's class for runbooks: its "class" tag, else its first placement's kind, else "".
std::string tokenClass(const tokens::Token& token,
                       const std::vector<tokens::Placement>& placements);

// Whether address (IPv4 or IPv6 text) is inside the CIDR block or equal to the address given.
bool ipMatches(const std::string& address, const std::string& cidr_or_address);

// Reads every runbook (inline text or file; a relative file is taken from base_dir). A file that
// cannot be read is an error naming the runbook and the path.
Result<std::map<std::string, std::string>> loadRunbooks(const config::AlertsOptions& options,
                                                        const std::string& base_dir);

// The story `honeytrail alert test` sends: marked as a test everywhere it shows, with the AWS
// documentation's example key so that nobody mistakes it for a real token.
Story testStory(const std::string& route, const std::string& ui_base_url, TimePoint now);

class Router {
 public:
  // hostname is what syslog lines carry. runbooks: class -> Markdown (loadRunbooks).
  Router(RouterStorage store, const Clock& clock, config::AlertsOptions options,
         std::map<std::string, std::string> runbooks, std::string hostname);

  // The incidents::Notifier for IncidentManager.
  Result<incidents::Announcement> announce(const incidents::Incident& incident,
                                           incidents::AnnouncementKind kind,
                                           const std::string& what_is_new,
                                           const detect::TriggerRecord* trigger);
  incidents::Notifier notifier() {
    return [this](const incidents::Incident& i, incidents::AnnouncementKind k, const std::string& w,
                  const detect::TriggerRecord* t) { return announce(i, k, w, t); };
  }

  // The routes a story goes to, by name, before quiet rules and throttles (for `alert test` and
  // tests).
  std::vector<std::string> matchingRoutes(const Story& story, const tokens::Token& token,
                                          const std::vector<tokens::Placement>& placements) const;

 private:
  RouterStorage store_;
  const Clock& clock_;
  config::AlertsOptions options_;
  std::map<std::string, std::string> runbooks_;
  std::string hostname_;
};

}  // namespace ht::alert
