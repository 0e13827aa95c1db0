#include "incidents/incidents.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ht::incidents {
namespace {

using nlohmann::json;

// The behaviours an incident has shown, kept as JSON in the incident row.
struct Seen {
  std::vector<std::string> ips;
  std::vector<std::string> regions;
  bool use = false;  // used or session-used (not only touched)
  bool write = false;
  bool data = false;
  bool exposed = false;

  static Seen parse(const std::string& text) {
    Seen s;
    json j = json::parse(text.empty() ? "{}" : text, nullptr, false);
    if (!j.is_object()) return s;
    auto strings = [&](const char* k) {
      std::vector<std::string> out;
      if (j.contains(k) && j[k].is_array()) {
        for (const auto& v : j[k]) {
          if (v.is_string()) out.push_back(v.get<std::string>());
        }
      }
      return out;
    };
    s.ips = strings("ips");
    s.regions = strings("regions");
    s.use = j.value("use", false);
    s.write = j.value("write", false);
    s.data = j.value("data", false);
    s.exposed = j.value("exposed", false);
    return s;
  }
  std::string dump() const {
    return json{{"ips", ips},     {"regions", regions}, {"use", use},
                {"write", write}, {"data", data},       {"exposed", exposed}}
        .dump();
  }
};

// A real use of the key (with it, or as its user), as opposed to a mention or an exposure.
bool isUse(detect::TriggerClass c) {
  return c == detect::TriggerClass::kUsed || c == detect::TriggerClass::kSessionUsed;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string callName(const detect::TriggerRecord& t) {
  std::string service = t.event_source;
  size_t dot = service.find('.');
  if (dot != std::string::npos) service = service.substr(0, dot);
  if (service.empty()) service = t.service;
  return service + ":" + (t.event_name.empty() ? "?" : t.event_name);
}

std::string incidentTitle(const detect::TriggerRecord& t) {
  const char* what = "used";
  switch (t.trigger_class) {
    case detect::TriggerClass::kExposed:
      what = "exposed in public";
      break;
    case detect::TriggerClass::kTouched:
      what = "mentioned";
      break;
    case detect::TriggerClass::kUsed:
    case detect::TriggerClass::kSessionUsed:
      break;
  }
  return "Honey token " + t.token_id + " " + what + ": " + callName(t) +
         (t.source_ip.empty() ? "" : " from " + t.source_ip);
}

}  // namespace

Severity triggerSeverity(const detect::TriggerRecord& t) {
  switch (t.trigger_class) {
    case detect::TriggerClass::kTouched:
      return Severity::kLow;
    case detect::TriggerClass::kExposed:
      return Severity::kHigh;
    case detect::TriggerClass::kUsed:
    case detect::TriggerClass::kSessionUsed:
      break;
  }
  if (t.intent == "write" || t.intent == "privilege-change") return Severity::kCritical;
  return Severity::kHigh;
}

bool isClosed(IncidentState state) {
  switch (state) {
    case IncidentState::kResolved:
    case IncidentState::kFalsePositive:
      return true;
    case IncidentState::kOpen:
    case IncidentState::kAcknowledged:
    case IncidentState::kConfirmed:
      return false;
  }
  return false;
}

bool canMoveTo(IncidentState from, IncidentState to) {
  using S = IncidentState;
  if (from == to || from == S::kResolved) return false;
  if (to == S::kFalsePositive) return from == S::kOpen || from == S::kAcknowledged;
  if (from == S::kFalsePositive) return to == S::kResolved;
  // Neither is false-positive here, and the rest are declared in workflow order: only forward.
  return to > from;
}

IncidentManager::IncidentManager(IncidentStore& store, detect::TriggerStore& triggers, const Clock& clock, RandomSource& random,
                                 IncidentOptions options, Notifier notifier)
    : store_(store),
      triggers_(triggers),
      clock_(clock),
      random_(random),
      options_(options),
      notifier_(std::move(notifier)) {}

std::string IncidentManager::newIncidentId() { return randomLowerId(random_, "inc-"); }

Result<IncidentUpdate> IncidentManager::onTrigger(const detect::TriggerRecord& t) {
  std::lock_guard lock(mu_);
  TimePoint now = clock_.now();
  TimePoint at = t.event_time.value_or(t.created_at == TimePoint{} ? now : t.created_at);
  HT_ASSIGN_OR_RETURN(std::optional<int64_t> trigger_id,
                      triggers_.triggerId(t.event_id, t.token_id, t.trigger_class));
  HT_ASSIGN_OR_RETURN(std::optional<incidents::Incident> latest, store_.latestIncidentFor(t.token_id));

  IncidentUpdate update;
  incidents::Incident& inc = update.incident;
  bool joins = latest && !isClosed(latest->state) && at <= latest->last_seen + options_.window &&
               at + options_.window >= latest->first_seen;
  std::vector<incidents::IncidentEvent> events;
  Seen seen;
  if (joins) {
    inc = *latest;
    seen = Seen::parse(inc.seen);
  } else {
    inc.id = newIncidentId();
    inc.token_id = t.token_id;
    inc.state = IncidentState::kOpen;
    inc.severity = triggerSeverity(t);
    inc.title = incidentTitle(t);
    inc.opened_at = now;
    inc.first_seen = at;
    inc.last_seen = at;
    update.opened = true;
    events.push_back({0, inc.id, at, TimelineKind::kOpened, "honeytrail", inc.title, "{}"});
  }

  // What this trigger shows for the first time in the incident.
  std::string call = callName(t);
  if (!update.opened) {
    if (t.trigger_class == detect::TriggerClass::kExposed && !seen.exposed)
      update.escalations.push_back("exposure: AWS quarantined the key (found in public)");
    if (isUse(t.trigger_class) && !seen.use)
      update.escalations.push_back("first use of the key (before: only mentions): " + call);
    if ((t.intent == "write" || t.intent == "privilege-change") && !seen.write)
      update.escalations.push_back("first write call: " + call);
    if (t.intent == "data-access" && !seen.data)
      update.escalations.push_back("first data access: " + call);
    if (!t.source_ip.empty() && !contains(seen.ips, t.source_ip) && !seen.ips.empty())
      update.escalations.push_back("new source IP: " + t.source_ip);
    if (!t.aws_region.empty() && !contains(seen.regions, t.aws_region) && !seen.regions.empty())
      update.escalations.push_back("new region: " + t.aws_region);
  }
  seen.exposed |= t.trigger_class == detect::TriggerClass::kExposed;
  seen.use |= isUse(t.trigger_class);
  seen.write |= t.intent == "write" || t.intent == "privilege-change";
  seen.data |= t.intent == "data-access";
  if (!t.source_ip.empty() && !contains(seen.ips, t.source_ip)) seen.ips.push_back(t.source_ip);
  if (!t.aws_region.empty() && !contains(seen.regions, t.aws_region))
    seen.regions.push_back(t.aws_region);

  inc.seen = seen.dump();
  inc.first_seen = std::min(inc.first_seen, at);
  inc.last_seen = std::max(inc.last_seen, at);
  ++inc.trigger_count;
  inc.severity = std::max(inc.severity, triggerSeverity(t));
  inc.updated_at = now;

  json details = {{"event_id", t.event_id},
                  {"trigger_class", detect::triggerClassName(t.trigger_class)},
                  {"call", call},
                  {"source_ip", t.source_ip},
                  {"aws_region", t.aws_region},
                  {"client", t.client},
                  {"intent", t.intent}};
  events.push_back({0, inc.id, at, TimelineKind::kTrigger, "",
                    std::string(detect::triggerClassName(t.trigger_class)) + " " + call +
                        (t.source_ip.empty() ? "" : " from " + t.source_ip),
                    details.dump()});
  for (const auto& e : update.escalations) {
    events.push_back({0, inc.id, at, TimelineKind::kEscalation, "honeytrail", e, "{}"});
  }

  Announcement announcement;
  if (notifier_ && update.announce()) {
    AnnouncementKind kind = update.opened ? AnnouncementKind::kNew : AnnouncementKind::kEscalation;
    std::string what;
    for (const auto& e : update.escalations) what += (what.empty() ? "" : "; ") + e;
    HT_ASSIGN_OR_RETURN(announcement, notifier_(inc, kind, what, &t));
  }
  for (auto& e : announcement.events) events.push_back(std::move(e));
  std::vector<int64_t> links;
  if (trigger_id) links.push_back(*trigger_id);
  HT_RETURN_IF_ERROR(store_.saveIncident(inc, events, links, announcement.items));
  return update;
}

Result<size_t> IncidentManager::catchUp(size_t* opened) {
  detect::TriggerFilter filter;
  filter.without_incident = true;
  filter.limit = 100000;
  size_t total = 0;
  if (opened != nullptr) *opened = 0;
  while (true) {
    HT_ASSIGN_OR_RETURN(auto pending, triggers_.listTriggers(filter));
    for (const auto& t : pending) {
      HT_ASSIGN_OR_RETURN(IncidentUpdate update, onTrigger(t));
      if (update.opened && opened != nullptr) ++*opened;
    }
    total += pending.size();
    if (pending.size() < static_cast<size_t>(filter.limit)) return total;
  }
}

Result<incidents::Incident> IncidentManager::setState(const std::string& id, IncidentState state,
                                                      const std::string& actor,
                                                      const std::string& note) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(std::optional<incidents::Incident> found, store_.getIncident(id));
  if (!found) return Status::notFound("no incident " + id);
  incidents::Incident inc = *found;
  const std::string before = incidentStateName(inc.state);
  const std::string after = incidentStateName(state);
  if (!canMoveTo(inc.state, state)) {
    return Status::failedPrecondition("incident " + id + " is " + before + "; it cannot become " +
                                      after);
  }
  inc.state = state;
  inc.updated_at = clock_.now();
  std::vector<incidents::IncidentEvent> events = {{0, id, inc.updated_at, TimelineKind::kState,
                                                   actor, before + " -> " + after,
                                                   json{{"from", before}, {"to", after}}.dump()}};
  if (!note.empty()) {
    events.push_back({0, id, inc.updated_at, TimelineKind::kNote, actor, note, "{}"});
  }
  Announcement announcement;
  if (notifier_ && state == IncidentState::kResolved) {
    HT_ASSIGN_OR_RETURN(announcement, notifier_(inc, AnnouncementKind::kResolved, "", nullptr));
  }
  for (auto& e : announcement.events) events.push_back(std::move(e));
  HT_RETURN_IF_ERROR(store_.saveIncident(inc, events, {}, announcement.items));
  return inc;
}

Status IncidentManager::addNote(const std::string& id, const std::string& actor,
                                const std::string& text) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(std::optional<incidents::Incident> found, store_.getIncident(id));
  if (!found) return Status::notFound("no incident " + id);
  if (text.empty()) return Status::invalidArgument("an empty note");
  incidents::Incident inc = *found;
  inc.updated_at = clock_.now();
  return store_.saveIncident(inc, {{0, id, inc.updated_at, TimelineKind::kNote, actor, text, "{}"}},
                             {}, {});
}

}  // namespace ht::incidents
