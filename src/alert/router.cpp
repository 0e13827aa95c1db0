#include "alert/router.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "alert/actions.h"
#include "alert/outputs.h"
#include "alert/outputs/webhook.h"
#include "core/files.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

// Worst first: what the incident is "about" when several classes were seen.
int classRank(detect::TriggerClass c) {
  switch (c) {
    case detect::TriggerClass::kExposed:
      return 4;
    case detect::TriggerClass::kUsed:
      return 3;
    case detect::TriggerClass::kSessionUsed:
      return 2;
    case detect::TriggerClass::kTouched:
      return 1;
  }
  return 0;
}

bool fieldGlob(const std::string& spec, const std::function<std::string(const std::string&)>& get,
               const std::function<bool(const std::string&)>& has) {
  size_t eq = spec.find('=');
  std::string field = spec.substr(0, eq);
  std::string pattern = eq == std::string::npos ? "*" : spec.substr(eq + 1);
  if (!has(field)) return false;
  return globMatch(pattern, get(field));
}

bool tagMatches(const tokens::Tags& tags, const std::string& spec) {
  return fieldGlob(
      spec, [&](const std::string& k) { return tags.at(k); },
      [&](const std::string& k) { return tags.count(k) > 0; });
}

bool placementMatches(const tokens::Placement& p, const std::string& spec) {
  auto get = [&](const std::string& field) -> std::string {
    if (field == "host") return p.host;
    if (field == "location") return p.location;
    if (field == "kind") return p.kind;
    if (field == "owner") return p.owner;
    return p.tags.at(field.substr(4));
  };
  auto has = [&](const std::string& field) {
    if (startsWith(field, "tag.")) return p.tags.count(field.substr(4)) > 0;
    return field == "host" || field == "location" || field == "kind" || field == "owner";
  };
  return fieldGlob(spec, get, has);
}

template <typename List, typename Pred>
bool anyOf(const List& list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool ipMatches(const std::string& address, const std::string& cidr) {
  size_t slash = cidr.find('/');
  std::string net = cidr.substr(0, slash);
  unsigned char a[16] = {}, n[16] = {};
  int family = net.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  int size = family == AF_INET6 ? 16 : 4;
  if (::inet_pton(family, address.c_str(), a) != 1) return false;
  if (::inet_pton(family, net.c_str(), n) != 1) return false;
  int bits = size * 8;
  if (slash != std::string::npos) {
    std::string prefix = cidr.substr(slash + 1);
    bool digits =
        !prefix.empty() && prefix.size() <= 3 &&
        std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(prefix) > size * 8) return false;  // a malformed block matches nothing
    bits = std::stoi(prefix);
  }
  int whole = bits / 8;
  if (std::memcmp(a, n, whole) != 0) return false;
  if (bits % 8 == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - bits % 8));
  return (a[whole] & mask) == (n[whole] & mask);
}

std::string tokenClass(const tokens::Token& token,
                       const std::vector<tokens::Placement>& placements) {
  auto it = token.tags.find("class");
  if (it != token.tags.end() && !it->second.empty()) return it->second;
  if (!placements.empty()) return placements.front().kind;
  return "";
}

Result<std::map<std::string, std::string>> loadRunbooks(const config::AlertsOptions& options,
                                                        const std::string& base_dir) {
  std::map<std::string, std::string> out;
  for (const config::RunbookOptions& r : options.runbooks) {
    if (!r.markdown.empty()) {
      out[r.name] = r.markdown;
      continue;
    }
    std::string path = r.file;
    if (!path.empty() && path.front() != '/' && !base_dir.empty()) path = base_dir + "/" + path;
    Result<std::string> text = readFile(path);
    if (!text) {
      return Status::invalidArgument("alerts.runbooks." + r.name + ".file: cannot read " + path +
                                     ": " + text.status().message());
    }
    out[r.name] = *text;
  }
  return out;
}

namespace {

// buildStory for a token and placements the caller has already read.
Result<Story> storyOf(const RouterStorage& store, const incidents::Incident& inc,
                      incidents::AnnouncementKind kind, const std::string& what,
                      const detect::TriggerRecord* extra, const config::AlertsOptions& options,
                      const std::map<std::string, std::string>& runbooks,
                      const tokens::Token& token,
                      const std::vector<tokens::Placement>& placements) {
  Story s;
  s.incident_id = inc.id;
  s.kind = kind;
  s.headline = inc.title;
  s.escalation = what;
  s.severity = inc.severity;
  s.state = inc.state;
  s.first_seen = inc.first_seen;
  s.last_seen = inc.last_seen;
  s.trigger_count = inc.trigger_count;

  s.token_id = token.id;
  s.key_id = token.key_id;
  s.token_label = token.label;
  s.account_id = token.account_id;
  s.user_arn = token.user_arn;
  for (const auto& [k, v] : token.tags) s.token_tags.emplace_back(k, v);

  for (const auto& p : placements) s.placements.push_back({p.host, p.location, p.kind, p.owner});
  HT_ASSIGN_OR_RETURN(std::vector<tokens::CustodyEvent> custody, store.tokens.listCustody(token.id));
  for (const auto& c : custody) s.custody.push_back({c.at, c.holder, c.method, c.notes});

  detect::TriggerFilter filter;
  filter.incident_id = inc.id;
  filter.limit = 100000;
  HT_ASSIGN_OR_RETURN(std::vector<detect::TriggerRecord> triggers, store.triggers.listTriggers(filter));
  if (extra != nullptr &&
      std::none_of(triggers.begin(), triggers.end(), [&](const detect::TriggerRecord& t) {
        return t.event_id == extra->event_id && t.trigger_class == extra->trigger_class;
      })) {
    triggers.push_back(*extra);
  }
  // Triggers of this token that are stored but not grouped yet, following `extra` within the
  // incident window, are about to join this incident (a batch is grouped after it is read, oldest
  // first): the message tells them too, instead of only the first call.
  if (extra != nullptr) {
    detect::TriggerFilter waiting;
    waiting.token_id = inc.token_id;
    waiting.without_incident = true;
    waiting.limit = 100000;
    HT_ASSIGN_OR_RETURN(std::vector<detect::TriggerRecord> pending, store.triggers.listTriggers(waiting));
    const auto window = std::chrono::minutes(options.incident_window_minutes);
    TimePoint last = extra->event_time.value_or(extra->created_at);
    for (const auto& t : pending) {  // oldest event first
      if (t.id == extra->id && t.id != 0) continue;
      if (t.event_id == extra->event_id && t.trigger_class == extra->trigger_class) continue;
      TimePoint at = t.event_time.value_or(t.created_at);
      if (at < last - window) continue;
      if (at > last + window) break;
      triggers.push_back(t);
      last = std::max(last, at);
    }
  }

  std::map<std::tuple<std::string, std::string, std::string, std::string>, StoryCall> calls;
  std::map<std::pair<std::string, std::string>, StoryCaller> callers;
  std::set<std::string> intents;
  std::optional<detect::TriggerClass> worst_class;
  for (const auto& t : triggers) {
    TimePoint at = t.event_time.value_or(t.created_at);
    std::string source = t.event_source.empty() ? t.service : t.event_source;
    StoryCall& c = calls[{source, t.event_name, t.aws_region, t.error_code}];
    if (c.count == 0) {
      c.event_source = source;
      c.event_name = t.event_name;
      c.aws_region = t.aws_region;
      c.error_code = t.error_code;
      c.first_seen = at;
      c.last_seen = at;
    }
    ++c.count;
    c.first_seen = std::min(c.first_seen, at);
    c.last_seen = std::max(c.last_seen, at);
    if (!t.source_ip.empty() || !t.user_agent.empty()) {
      StoryCaller& who = callers[{t.source_ip, t.user_agent}];
      if (who.count == 0) {
        who.source_ip = t.source_ip;
        who.user_agent = t.user_agent;
        who.client = t.client;
        who.country = t.source_country;
        who.asn = t.source_asn;
        who.as_org = t.source_as_org;
        who.tor = t.source_tor;
      }
      ++who.count;
    }
    if (!t.intent.empty()) intents.insert(t.intent);
    if (!worst_class || classRank(t.trigger_class) > classRank(*worst_class)) {
      worst_class = t.trigger_class;
    }
  }
  s.trigger_class = extra != nullptr ? std::optional(extra->trigger_class) : worst_class;
  // Triggers about to join count as the incident's own.
  s.trigger_count = std::max<uint64_t>(s.trigger_count, triggers.size());
  for (const auto& [key, c] : calls) {
    s.first_seen = std::min(s.first_seen, c.first_seen);
    s.last_seen = std::max(s.last_seen, c.last_seen);
  }
  for (auto& [key, c] : calls) s.calls.push_back(std::move(c));
  std::sort(s.calls.begin(), s.calls.end(),
            [](const StoryCall& a, const StoryCall& b) { return a.first_seen < b.first_seen; });
  for (auto& [key, c] : callers) s.callers.push_back(std::move(c));
  std::sort(s.callers.begin(), s.callers.end(),
            [](const StoryCaller& a, const StoryCaller& b) { return a.count > b.count; });
  s.intents.assign(intents.begin(), intents.end());

  std::string cls = tokenClass(token, placements);
  auto runbook = runbooks.find(cls);
  if (runbook == runbooks.end()) runbook = runbooks.find("default");
  if (runbook != runbooks.end()) s.runbook_markdown = runbook->second;
  if (!options.ui_base_url.empty()) {
    std::string base = options.ui_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    s.link = base + "/incidents/" + inc.id;
  }
  return s;
}

}  // namespace

Result<Story> buildStory(const RouterStorage& store, const incidents::Incident& inc,
                         incidents::AnnouncementKind kind, const std::string& what,
                         const detect::TriggerRecord* extra, const config::AlertsOptions& options,
                         const std::map<std::string, std::string>& runbooks) {
  HT_ASSIGN_OR_RETURN(tokens::Token token, store.tokens.findToken(inc.token_id));
  HT_ASSIGN_OR_RETURN(std::vector<tokens::Placement> placements, store.tokens.listPlacements(token.id));
  return storyOf(store, inc, kind, what, extra, options, runbooks, token, placements);
}

Story testStory(const std::string& route, const std::string& ui_base_url, TimePoint now) {
  Story s;
  s.incident_id = "inc-test" + std::to_string(toUnixSeconds(now));
  s.kind = incidents::AnnouncementKind::kTest;
  s.test = true;
  s.headline = "TEST: honeytrail test message for route " + route + " (no token was used)";
  s.severity = Severity::kInfo;
  s.state = incidents::IncidentState::kOpen;
  s.trigger_class = detect::TriggerClass::kUsed;
  s.token_id = "ht-testtest00";
  s.key_id = "AKIAIOSFODNN7EXAMPLE";
  s.token_label = "test message";
  s.account_id = "123456789012";
  s.placements.push_back({"test-host", "/home/test/.aws/credentials", "file", "honeytrail"});
  s.custody.push_back({now, "honeytrail", "test", "alert test --route " + route});
  StoryCall call;
  call.event_source = "sts.amazonaws.com";
  call.event_name = "GetCallerIdentity";
  call.aws_region = "us-east-1";
  call.count = 1;
  call.first_seen = now;
  call.last_seen = now;
  s.calls.push_back(call);
  StoryCaller caller;
  caller.source_ip = "192.0.2.1";
  caller.user_agent = "aws-cli/2.15.0";
  caller.client = "aws-cli";
  caller.count = 1;
  s.callers.push_back(caller);
  s.intents = {"identity-check"};
  s.first_seen = now;
  s.last_seen = now;
  s.trigger_count = 1;
  s.runbook_markdown = "This is a test: nothing to do.";
  std::string base = ui_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty()) s.link = base + "/incidents/" + s.incident_id;
  return s;
}

Router::Router(RouterStorage store, const Clock& clock, config::AlertsOptions options,
               std::map<std::string, std::string> runbooks, std::string hostname)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      runbooks_(std::move(runbooks)),
      hostname_(std::move(hostname)) {}

std::vector<std::string> Router::matchingRoutes(
    const Story& story, const tokens::Token& token,
    const std::vector<tokens::Placement>& placements) const {
  std::vector<std::string> out;
  for (const config::RouteOptions& r : options_.routes) {
    if (!r.enabled) continue;
    if (story.severity < r.min_severity) continue;
    if (!r.match_tags.empty() &&
        !anyOf(r.match_tags, [&](const std::string& m) { return tagMatches(token.tags, m); })) {
      continue;
    }
    if (!r.match_placement.empty() && !anyOf(r.match_placement, [&](const std::string& m) {
          return anyOf(placements,
                       [&](const tokens::Placement& p) { return placementMatches(p, m); });
        })) {
      continue;
    }
    // The config keeps class names as text (config sits below detect); each is parsed here, and
    // an unknown one (config validation rejects them) matches nothing.
    if (!r.match_classes.empty() && !anyOf(r.match_classes, [&](const std::string& c) {
          return story.trigger_class && detect::parseTriggerClass(c) == story.trigger_class;
        })) {
      continue;
    }
    out.push_back(r.name);
  }
  return out;
}

Result<incidents::Announcement> Router::announce(const incidents::Incident& inc,
                                                 incidents::AnnouncementKind kind,
                                                 const std::string& what,
                                                 const detect::TriggerRecord* trigger) {
  incidents::Announcement out;
  if (options_.routes.empty()) return out;
  const TimePoint now = clock_.now();
  HT_ASSIGN_OR_RETURN(tokens::Token token, store_.tokens.findToken(inc.token_id));
  HT_ASSIGN_OR_RETURN(std::vector<tokens::Placement> placements, store_.tokens.listPlacements(token.id));
  HT_ASSIGN_OR_RETURN(Story story, storyOf(store_, inc, kind, what, trigger, options_, runbooks_,
                                           token, placements));

  auto note = [&](std::string text, nlohmann::json details) {
    out.events.push_back({0, inc.id, now, incidents::TimelineKind::kSuppressed, "honeytrail",
                          std::move(text), details.dump()});
  };
  std::set<std::string> outputs_done;
  std::set<std::string> actions_done;
  auto findOutput = [&](const std::string& name) -> const config::OutputOptions* {
    for (const auto& o : options_.outputs) {
      if (o.name == name) return o.enabled ? &o : nullptr;
    }
    return nullptr;
  };
  auto item = [&](const std::string& output, const std::string& route, std::string body) {
    incidents::OutboxItem i;
    i.incident_id = inc.id;
    i.output = output;
    i.kind = kind;
    i.route = route;
    i.body = std::move(body);
    i.created_at = now;
    i.next_attempt_at = now;
    return i;
  };
  const std::string kind_name = incidents::announcementKindName(kind);
  const bool resolve = kind == incidents::AnnouncementKind::kResolved;
  if (resolve) {
    // A resolve goes exactly where the incident was announced, so that every page opened is
    // closed, whatever the routes would match now.
    HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> earlier, store_.outbox.incidentOutbox(inc.id));
    for (const incidents::OutboxItem& e : earlier) {
      const bool announced = e.kind == incidents::AnnouncementKind::kNew ||
                             e.kind == incidents::AnnouncementKind::kEscalation;
      if (startsWith(e.output, "action:") || !announced) continue;
      const config::OutputOptions* o = findOutput(e.output);
      if (o == nullptr || !outputs_done.insert(e.output).second) continue;
      out.items.push_back(item(e.output, e.route, renderBody(*o, story, now, hostname_)));
    }
    return out;
  }
  for (const std::string& route_name : matchingRoutes(story, token, placements)) {
    const config::RouteOptions& route =
        *std::find_if(options_.routes.begin(), options_.routes.end(),
                      [&](const config::RouteOptions& r) { return r.name == route_name; });

    if (!resolve && trigger != nullptr) {
      const config::QuietOptions* quiet = nullptr;
      for (const config::QuietOptions& q : options_.quiet) {
        std::optional<TimePoint> expires = parseTime(q.expires);
        if (!expires || *expires <= now) continue;  // expired rules no longer silence anything
        if (!q.routes.empty() && !contains(q.routes, route.name)) continue;
        if (!q.source_ips.empty() && !anyOf(q.source_ips, [&](const std::string& c) {
              return ipMatches(trigger->source_ip, c);
            })) {
          continue;
        }
        if (!q.user_agents.empty() && !anyOf(q.user_agents, [&](const std::string& g) {
              return globMatch(g, trigger->user_agent);
            })) {
          continue;
        }
        if (!q.tokens.empty() && !contains(q.tokens, token.id) &&
            !contains(q.tokens, token.key_id)) {
          continue;
        }
        quiet = &q;
        break;
      }
      if (quiet != nullptr) {
        note("quiet rule " + quiet->name + " kept this " + kind_name + " from route " + route.name +
                 (quiet->reason.empty() ? "" : " (" + quiet->reason + ")"),
             {{"route", route.name}, {"quiet_rule", quiet->name}, {"expires", quiet->expires}});
        continue;
      }
    }
    if (!resolve && route.throttle_max > 0) {
      HT_ASSIGN_OR_RETURN(int64_t recent,
                          store_.outbox.countRouteAnnouncements(
                              route.name, now - std::chrono::minutes(route.throttle_minutes)));
      if (recent >= route.throttle_max) {
        note("route " + route.name + " is throttled (" + std::to_string(recent) + " in the last " +
                 std::to_string(route.throttle_minutes) + " minutes); this " + kind_name +
                 " was not sent",
             {{"route", route.name}, {"recent", recent}, {"throttle_max", route.throttle_max}});
        continue;
      }
    }

    for (const std::string& output_name : route.outputs) {
      const config::OutputOptions* o = findOutput(output_name);
      // One per output: the first route that names it wins.
      if (o == nullptr || !outputs_done.insert(output_name).second) continue;
      out.items.push_back(item(output_name, route.name, renderBody(*o, story, now, hostname_)));
    }
    if (resolve) continue;
    for (const std::string& action_name : route.actions) {
      auto a = std::find_if(options_.actions.begin(), options_.actions.end(),
                            [&](const config::ActionOptions& x) { return x.name == action_name; });
      // The config keeps `on` as text (config sits below incidents); parsed here, an unknown
      // kind (config validation rejects them) runs nothing.
      if (a == options_.actions.end() || !anyOf(a->on, [&](const std::string& k) {
            return incidents::parseAnnouncementKind(k) == kind;
          })) {
        continue;
      }
      if (!actions_done.insert(action_name).second) continue;
      incidents::OutboxItem action = item(
          actionOutputName(action_name), route.name,
          webhookPayload(story).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      // Config validation guarantees a type; an action without one is described as a webhook.
      std::string what_runs = a->type == config::ActionType::kCommand
                                  ? "command " + a->command.front()
                                  : "webhook " + a->url.substr(0, a->url.find('?'));
      const std::string mode = config::actionModeName(a->mode);
      switch (a->mode) {
        case config::ActionMode::kDryRun:
          action.state = incidents::OutboxState::kDryRun;
          out.events.push_back({0, inc.id, now, incidents::TimelineKind::kAction, "honeytrail",
                                "dry run: would run action " + action_name + " (" + what_runs + ")",
                                nlohmann::json{{"action", action_name}, {"mode", mode}}.dump()});
          break;
        case config::ActionMode::kApproval:
          action.state = incidents::OutboxState::kApproval;
          out.events.push_back({0, inc.id, now, incidents::TimelineKind::kAction, "honeytrail",
                                "action " + action_name + " (" + what_runs +
                                    ") waits for approval: honeytrail alert list --state approval",
                                nlohmann::json{{"action", action_name}, {"mode", mode}}.dump()});
          break;
        case config::ActionMode::kAuto:
          break;  // pending: the next delivery runs it
      }
      out.items.push_back(std::move(action));
    }
  }
  return out;
}

}  // namespace ht::alert
