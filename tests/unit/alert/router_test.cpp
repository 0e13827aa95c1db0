// Alert routing over a real SQLite store and a real IncidentManager with an injected clock: which
// routes a trigger reaches (tags, placements, class, severity), one item per output, the bodies
// each output type renders from the whole story, what quiet rules and throttles hold back (and the
// timeline entry that explains it), escalations, response actions in their modes, and the pure
// helpers (ipMatches, tokenClass, loadRunbooks, testStory).
#include "alert/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "config/options.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::alert {
namespace {

using incidents::IncidentManager;
using incidents::IncidentOptions;
using incidents::IncidentUpdate;

using nlohmann::json;

TimePoint at(const char* text) { return *parseTime(text); }

config::OutputOptions output(const std::string& name, const std::string& type) {
  config::OutputOptions o;
  o.name = name;
  o.type = type;
  o.url = "https://hooks.example.com/" + name;
  return o;
}

config::RouteOptions route(const std::string& name, std::vector<std::string> outputs) {
  config::RouteOptions r;
  r.name = name;
  r.outputs = std::move(outputs);
  return r;
}

config::QuietOptions quiet(const std::string& name, const std::string& expires) {
  config::QuietOptions q;
  q.name = name;
  q.expires = expires;
  return q;
}

// One output "hook" (webhook) and one route "main" to it: the smallest working configuration.
config::AlertsOptions oneRoute() {
  config::AlertsOptions a;
  a.outputs = {output("hook", "webhook")};
  a.routes = {route("main", {"hook"})};
  return a;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
    vault_ = std::make_unique<tokens::SecretVault>(
        config::SecretsOptions{}, dir_.path(),
        [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    registry_ =
        std::make_unique<tokens::Registry>(*store_, *vault_, config_, clock_, random_, "test@host");
  }

  // Builds the router and an incident manager that announces through it.
  void start(config::AlertsOptions options, std::map<std::string, std::string> runbooks = {}) {
    router_ = std::make_unique<Router>(RouterStorage::of(*store_), clock_, std::move(options), std::move(runbooks),
                                       "ht-test-host");
    IncidentOptions io;
    io.window = std::chrono::minutes(60);
    manager_ = std::make_unique<IncidentManager>(*store_, *store_, clock_, random_, io, router_->notifier());
  }

  std::string token(const std::string& key_id, tokens::Tags tags = {}) {
    tokens::ImportOptions imp;
    imp.key_id = key_id;
    imp.label = "honey " + key_id;
    imp.tags = std::move(tags);
    auto t = registry_->importKey(imp);
    EXPECT_TRUE(t.hasValue()) << t.status().toString();
    return t.hasValue() ? t->id : "";
  }

  void place(const std::string& token_id, const std::string& host, const std::string& kind,
             const std::string& owner = "", tokens::Tags tags = {}) {
    tokens::Placement p;
    p.token_id = token_id;
    p.host = host;
    p.location = "/home/deploy/.aws/credentials";
    p.kind = kind;
    p.owner = owner;
    p.tags = std::move(tags);
    auto added = registry_->addPlacement(p);
    ASSERT_TRUE(added.hasValue()) << added.status().toString();
  }

  // A trigger as detection would record it, at the clock's current time.
  detect::TriggerRecord rec(const std::string& token_id, const std::string& event_id,
                           const std::string& ip = "203.0.113.9") {
    detect::TriggerRecord t;
    t.event_id = event_id;
    t.token_id = token_id;
    t.trigger_class = detect::TriggerClass::kUsed;
    t.event_time = clock_.now();
    t.event_source = "s3.amazonaws.com";
    t.event_name = "ListBuckets";
    t.aws_region = "us-east-1";
    t.source_ip = ip;
    t.user_agent = "aws-cli/2.15.0 Python/3.11.6";
    t.intent = "enumeration";
    t.client = "aws-cli";
    t.created_at = clock_.now();
    return t;
  }

  // Stores the trigger, then groups it (which announces through the router).
  IncidentUpdate fire(const detect::TriggerRecord& t) {
    auto added = store_->addTrigger(t);
    EXPECT_TRUE(added.hasValue() && *added);
    auto update = manager_->onTrigger(t);
    EXPECT_TRUE(update.hasValue()) << update.status().toString();
    return update.hasValue() ? *update : IncidentUpdate{};
  }
  IncidentUpdate fire(const std::string& token_id, const std::string& event_id,
                      const std::string& ip = "203.0.113.9") {
    return fire(rec(token_id, event_id, ip));
  }

  std::vector<incidents::OutboxItem> outbox() {
    auto items = store_->listOutbox(std::nullopt);
    EXPECT_TRUE(items.hasValue()) << items.status().toString();
    return items.hasValue() ? *items : std::vector<incidents::OutboxItem>{};
  }

  // "output/route/kind/state" of every outbox item, in the order they were saved.
  std::vector<std::string> outboxSummary() {
    std::vector<std::string> out;
    for (const auto& i : outbox())
      out.push_back(i.output + "/" + i.route + "/" + incidents::announcementKindName(i.kind) + "/" +
                    incidents::outboxStateName(i.state));
    return out;
  }

  std::vector<incidents::IncidentEvent> events(const std::string& incident_id,
                                           const std::string& kind) {
    auto timeline = store_->incidentTimeline(incident_id);
    EXPECT_TRUE(timeline.hasValue()) << timeline.status().toString();
    std::vector<incidents::IncidentEvent> out;
    if (!timeline.hasValue()) return out;
    for (const auto& e : *timeline) {
      if (e.kind == incidents::parseTimelineKind(kind)) out.push_back(e);
    }
    return out;
  }

  incidents::Incident incident(const std::string& id) {
    auto inc = store_->getIncident(id);
    EXPECT_TRUE(inc.hasValue() && inc->has_value());
    return inc.hasValue() && inc->has_value() ? **inc : incidents::Incident{};
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{at("2026-11-28T12:00:00Z")};
  SeededRandomSource random_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<tokens::SecretVault> vault_;
  std::unique_ptr<tokens::Registry> registry_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<IncidentManager> manager_;
};

constexpr char kKeyA[] = "AKIASP2TPHJSQH3FJRUX";
constexpr char kKeyB[] = "AKIATFQR7NSCUXC3DDDP";
constexpr char kKeyC[] = "AKIAJQ3SEMQ2XZ7KLH4A";

// ---- route matching ---------------------------------------------------------------------------

TEST_F(RouterTest, MatchTagsExactAndGlobAnyItemWithinTheList) {
  config::AlertsOptions a = oneRoute();
  a.routes.clear();
  auto add = [&](const std::string& name, std::vector<std::string> tags) {
    config::RouteOptions r = route(name, {"hook"});
    r.match_tags = std::move(tags);
    a.routes.push_back(r);
  };
  add("prod", {"env=prod"});
  add("any-team", {"team=*"});
  add("staging-or-sec", {"env=staging", "team=sec"});
  add("dev", {"env=dev"});
  add("has-env", {"env"});  // no '=': the tag only has to exist
  add("all", {});
  start(a);
  Story story;
  story.severity = Severity::kHigh;
  story.trigger_class = detect::TriggerClass::kUsed;
  tokens::Token t;
  t.tags = {{"env", "prod"}, {"team", "sec"}};
  EXPECT_EQ(router_->matchingRoutes(story, t, {}),
            (std::vector<std::string>{"prod", "any-team", "staging-or-sec", "has-env", "all"}));
  t.tags = {{"env", "prod"}};
  EXPECT_EQ(router_->matchingRoutes(story, t, {}),
            (std::vector<std::string>{"prod", "has-env", "all"}));
  t.tags = {{"env", "production"}, {"team", ""}};  // a glob "*" also takes an empty value
  EXPECT_EQ(router_->matchingRoutes(story, t, {}),
            (std::vector<std::string>{"any-team", "has-env", "all"}));
  t.tags = {};
  EXPECT_EQ(router_->matchingRoutes(story, t, {}), std::vector<std::string>{"all"});
}

TEST_F(RouterTest, MatchPlacementFieldsAndPlacementTagsOnAnyPlacement) {
  config::AlertsOptions a = oneRoute();
  a.routes.clear();
  auto add = [&](const std::string& name, std::vector<std::string> specs) {
    config::RouteOptions r = route(name, {"hook"});
    r.match_placement = std::move(specs);
    a.routes.push_back(r);
  };
  add("web", {"host=web-*"});
  add("file", {"kind=file"});
  add("ops", {"owner=ops"});
  add("pci", {"tag.zone=pci"});
  add("aws-dir", {"location=*/.aws/*"});
  add("lambda-or-db", {"kind=lambda", "host=db-*"});
  add("unknown-field", {"color=red"});
  add("missing-tag", {"tag.region=*"});
  start(a);
  Story story;
  story.severity = Severity::kHigh;
  story.trigger_class = detect::TriggerClass::kUsed;
  tokens::Token t;
  tokens::Placement web;
  web.host = "web-01";
  web.location = "/home/deploy/.aws/credentials";
  web.kind = "file";
  web.owner = "dev";
  web.tags = {{"zone", "pci"}};
  tokens::Placement db;
  db.host = "db-01";
  db.location = "/etc/environment";
  db.kind = "env-file";
  db.owner = "ops";
  EXPECT_EQ(router_->matchingRoutes(story, t, {web, db}),
            (std::vector<std::string>{"web", "file", "ops", "pci", "aws-dir", "lambda-or-db"}));
  EXPECT_EQ(router_->matchingRoutes(story, t, {db}),
            (std::vector<std::string>{"ops", "lambda-or-db"}));
  EXPECT_EQ(router_->matchingRoutes(story, t, {web}),
            (std::vector<std::string>{"web", "file", "pci", "aws-dir"}));
  EXPECT_TRUE(router_->matchingRoutes(story, t, {}).empty())
      << "a route that names placements needs one";
}

TEST_F(RouterTest, MatchClassesAndMinSeverityOnTheStory) {
  config::AlertsOptions a = oneRoute();
  a.routes.clear();
  config::RouteOptions used = route("used-only", {"hook"});
  used.match_classes = {"used", "session-used"};
  config::RouteOptions high = route("high", {"hook"});
  high.min_severity = Severity::kHigh;
  config::RouteOptions dflt = route("default-low", {"hook"});
  config::RouteOptions info = route("info", {"hook"});
  info.min_severity = Severity::kInfo;
  a.routes = {used, high, dflt, info};
  start(a);
  tokens::Token t;
  Story s;
  s.severity = Severity::kLow;
  s.trigger_class = detect::TriggerClass::kTouched;
  EXPECT_EQ(router_->matchingRoutes(s, t, {}), (std::vector<std::string>{"default-low", "info"}));
  s.severity = Severity::kHigh;
  s.trigger_class = detect::TriggerClass::kUsed;
  EXPECT_EQ(router_->matchingRoutes(s, t, {}),
            (std::vector<std::string>{"used-only", "high", "default-low", "info"}));
  s.severity = Severity::kCritical;
  s.trigger_class = detect::TriggerClass::kSessionUsed;
  EXPECT_EQ(router_->matchingRoutes(s, t, {}),
            (std::vector<std::string>{"used-only", "high", "default-low", "info"}));
  s.severity = Severity::kInfo;
  s.trigger_class = detect::TriggerClass::kExposed;
  EXPECT_EQ(router_->matchingRoutes(s, t, {}), std::vector<std::string>{"info"});
}

TEST_F(RouterTest, EverySetListMustMatch) {
  config::AlertsOptions a = oneRoute();
  a.routes[0].match_tags = {"env=prod"};
  a.routes[0].match_placement = {"host=web-*"};
  a.routes[0].match_classes = {"used"};
  start(a);
  Story s;
  s.severity = Severity::kHigh;
  s.trigger_class = detect::TriggerClass::kUsed;
  tokens::Token t;
  t.tags = {{"env", "prod"}};
  tokens::Placement web;
  web.host = "web-01";
  tokens::Placement db;
  db.host = "db-01";
  EXPECT_EQ(router_->matchingRoutes(s, t, {web}), std::vector<std::string>{"main"});
  EXPECT_TRUE(router_->matchingRoutes(s, t, {db}).empty()) << "placement does not match";
  s.trigger_class = detect::TriggerClass::kTouched;
  EXPECT_TRUE(router_->matchingRoutes(s, t, {web}).empty()) << "class does not match";
  s.trigger_class = detect::TriggerClass::kUsed;
  t.tags = {{"env", "dev"}};
  EXPECT_TRUE(router_->matchingRoutes(s, t, {web}).empty()) << "tags do not match";
}

TEST_F(RouterTest, TriggersReachOnlyTheRoutesTheyMatch) {
  config::AlertsOptions a;
  a.outputs = {output("prod-hook", "webhook"), output("web-hook", "webhook"),
               output("used-hook", "webhook"), output("pager", "pagerduty")};
  config::RouteOptions prod = route("prod", {"prod-hook"});
  prod.match_tags = {"env=prod"};
  config::RouteOptions web = route("web", {"web-hook"});
  web.match_placement = {"host=web-*"};
  config::RouteOptions used = route("used", {"used-hook"});
  used.match_classes = {"used"};
  config::RouteOptions page = route("page", {"pager"});
  page.min_severity = Severity::kHigh;
  a.routes = {prod, web, used, page};
  start(a);

  std::string tok = token(kKeyA, {{"env", "prod"}});
  place(tok, "web-01", "file");
  detect::TriggerRecord touched = rec(tok, "e1", "10.0.0.5");
  touched.trigger_class = detect::TriggerClass::kTouched;
  touched.event_name = "ListAccessKeys";
  IncidentUpdate u = fire(touched);
  ASSERT_TRUE(u.opened);
  EXPECT_EQ(u.incident.severity, Severity::kLow);
  // A mention is low severity: neither the "used" route nor the high-severity pager hears of it.
  EXPECT_EQ(outboxSummary(),
            (std::vector<std::string>{"prod-hook/prod/new/pending", "web-hook/web/new/pending"}));

  // The first real use escalates to high: now every route matches.
  clock_.advance(std::chrono::minutes(5));
  fire(tok, "e2", "10.0.0.5");
  std::vector<std::string> want = {
      "prod-hook/prod/new/pending",        "web-hook/web/new/pending",
      "prod-hook/prod/escalation/pending", "web-hook/web/escalation/pending",
      "used-hook/used/escalation/pending", "pager/page/escalation/pending"};
  EXPECT_EQ(outboxSummary(), want);
}

TEST_F(RouterTest, DisabledRouteIgnoredAndDisabledOutputSkipped) {
  config::AlertsOptions a;
  a.outputs = {output("a", "webhook"), output("off", "webhook"), output("b", "slack")};
  a.outputs[1].enabled = false;
  config::RouteOptions disabled = route("disabled", {"a"});
  disabled.enabled = false;
  a.routes = {disabled, route("live", {"off", "b", "no-such-output"})};
  start(a);
  fire(token(kKeyA), "e1");
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"b/live/new/pending"});
}

TEST_F(RouterTest, OneItemPerOutputAttributedToTheFirstRouteInConfigOrder) {
  config::AlertsOptions a;
  a.outputs = {output("a", "webhook"), output("b", "webhook"), output("c", "webhook")};
  a.routes = {route("first", {"a", "b"}), route("second", {"b", "c"}), route("third", {"c", "a"})};
  start(a);
  fire(token(kKeyA), "e1");
  EXPECT_EQ(outboxSummary(), (std::vector<std::string>{"a/first/new/pending", "b/first/new/pending",
                                                       "c/second/new/pending"}));
}

// ---- bodies -----------------------------------------------------------------------------------

TEST_F(RouterTest, BodiesForSlackPagerDutyAndWebhookCarryTheWholeStory) {
  config::AlertsOptions a;
  a.outputs = {output("hook", "webhook"), output("chat", "slack"), output("pd", "pagerduty"),
               output("log", "file")};
  a.outputs[3].path = dir_.file("alerts.jsonl");
  a.routes = {route("main", {"hook", "chat", "pd", "log"})};
  start(a, {{"lambda", "# Lambda runbook"}, {"file", "# File runbook"}, {"default", "# Default"}});

  std::string tok = token(kKeyA, {{"env", "prod"}});
  place(tok, "web-01", "file", "ops");
  tokens::CustodyEvent hop;
  hop.token_id = tok;
  hop.holder = "ansible@ci-02";
  hop.method = "ansible";
  ASSERT_TRUE(registry_->addCustody(hop).hasValue());
  IncidentUpdate u = fire(tok, "e1");
  const std::string id = u.incident.id;

  std::vector<incidents::OutboxItem> items = outbox();
  ASSERT_EQ(items.size(), 4u);
  for (const auto& i : items) {
    EXPECT_EQ(i.incident_id, id);
    EXPECT_EQ(i.created_at, clock_.now());
    EXPECT_EQ(i.next_attempt_at, clock_.now());
  }

  json hook = json::parse(items[0].body);
  EXPECT_EQ(hook["incident_id"], id);
  EXPECT_EQ(hook["kind"], "new");
  EXPECT_EQ(hook["token"]["key_id"], kKeyA);
  EXPECT_EQ(hook["token"]["tags"]["env"], "prod");
  ASSERT_EQ(hook["placements"].size(), 1u);
  EXPECT_EQ(hook["placements"][0]["host"], "web-01");
  EXPECT_EQ(hook["placements"][0]["owner"], "ops");
  std::vector<std::string> holders;
  for (const auto& h : hook["custody"]) holders.push_back(h["holder"].get<std::string>());
  EXPECT_NE(std::find(holders.begin(), holders.end(), "ansible@ci-02"), holders.end())
      << hook["custody"].dump();
  EXPECT_NE(std::find(holders.begin(), holders.end(), "web-01"), holders.end());
  EXPECT_EQ(hook["runbook"], "# File runbook") << "no class tag: the placement's kind";
  ASSERT_EQ(hook["calls"].size(), 1u);
  EXPECT_EQ(hook["calls"][0]["event_name"], "ListBuckets");
  EXPECT_EQ(hook["calls"][0]["count"], 1);
  ASSERT_EQ(hook["callers"].size(), 1u);
  EXPECT_EQ(hook["callers"][0]["source_ip"], "203.0.113.9");
  EXPECT_TRUE(hook["link"].is_null()) << "no ui_base_url";

  json slack = json::parse(items[1].body);
  ASSERT_TRUE(slack["blocks"].is_array());
  ASSERT_FALSE(slack["blocks"].empty());
  EXPECT_EQ(slack["blocks"][0]["type"], "header");
  EXPECT_EQ(slack["blocks"][0]["text"]["text"], u.incident.title);

  json pd = json::parse(items[2].body);
  EXPECT_EQ(pd["routing_key"], "");
  EXPECT_EQ(pd["event_action"], "trigger");
  EXPECT_EQ(pd["dedup_key"], id);

  json file = json::parse(items[3].body);  // file lines are the webhook JSON
  EXPECT_EQ(file, hook);

  // Resolving pages out the resolve, with the same dedup key.
  clock_.advance(std::chrono::minutes(30));
  ASSERT_TRUE(manager_->setState(id, incidents::IncidentState::kResolved, "alice").hasValue());
  items = outbox();
  ASSERT_EQ(items.size(), 8u);
  for (size_t i = 4; i < 8; ++i)
    EXPECT_EQ(items[i].kind, incidents::AnnouncementKind::kResolved) << items[i].output;
  json resolve = json::parse(items[6].body);
  EXPECT_EQ(items[6].output, "pd");
  EXPECT_EQ(resolve, (json{{"routing_key", ""}, {"event_action", "resolve"}, {"dedup_key", id}}));
  json resolved_hook = json::parse(items[4].body);
  EXPECT_EQ(resolved_hook["kind"], "resolved");
  EXPECT_EQ(resolved_hook["state"], "resolved");
}

TEST_F(RouterTest, RunbookByClassTagThenPlacementKindThenDefault) {
  start(oneRoute(), {{"lambda", "# Lambda runbook"},
                     {"file", "# File runbook"},
                     {"default", "# Default runbook"}});
  std::string tagged = token(kKeyA, {{"class", "lambda"}});
  place(tagged, "web-01", "file");  // the class tag wins over the placement kind
  std::string placed = token(kKeyB);
  place(placed, "web-02", "file");
  std::string bare = token(kKeyC);
  fire(tagged, "e1");
  fire(placed, "e2");
  fire(bare, "e3");
  std::vector<incidents::OutboxItem> items = outbox();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(json::parse(items[0].body)["runbook"], "# Lambda runbook");
  EXPECT_EQ(json::parse(items[1].body)["runbook"], "# File runbook");
  EXPECT_EQ(json::parse(items[2].body)["runbook"], "# Default runbook");
}

TEST_F(RouterTest, TokenClassIsClassTagElseFirstPlacementKind) {
  tokens::Token t;
  tokens::Placement lambda;
  lambda.kind = "lambda";
  tokens::Placement file;
  file.kind = "file";
  EXPECT_EQ(tokenClass(t, {}), "");
  EXPECT_EQ(tokenClass(t, {lambda, file}), "lambda");
  t.tags = {{"class", "ci"}};
  EXPECT_EQ(tokenClass(t, {lambda}), "ci");
  t.tags = {{"class", ""}};
  EXPECT_EQ(tokenClass(t, {file}), "file") << "an empty class tag is no class";
}

// ---- story ------------------------------------------------------------------------------------

TEST_F(RouterTest, BuildStoryAggregatesCallsAndCallersAndIncludesTheExtraTrigger) {
  start(config::AlertsOptions{});  // no routes: grouping only
  std::string tok = token(kKeyA, {{"env", "prod"}});
  place(tok, "web-01", "file");
  IncidentUpdate u = fire(tok, "e1", "203.0.113.9");
  clock_.advance(std::chrono::minutes(2));
  fire(tok, "e2", "203.0.113.9");
  clock_.advance(std::chrono::minutes(2));
  detect::TriggerRecord other = rec(tok, "e3", "198.51.100.7");
  other.event_source = "iam.amazonaws.com";
  other.event_name = "ListUsers";
  other.user_agent = "Boto3/1.34";
  other.client = "boto3";
  fire(other);
  // Stored but not grouped yet: what the router sees while the manager is grouping it.
  clock_.advance(std::chrono::minutes(2));
  detect::TriggerRecord extra = rec(tok, "e4", "192.0.2.55");
  extra.trigger_class = detect::TriggerClass::kSessionUsed;
  extra.intent = "data-access";
  ASSERT_TRUE(*store_->addTrigger(extra));

  config::AlertsOptions options;
  options.ui_base_url = "https://honeytrail.example.com/";
  incidents::Incident inc = incident(u.incident.id);
  auto built =
      buildStory(RouterStorage::of(*store_), inc, incidents::AnnouncementKind::kEscalation,
                 "first data access: s3:ListBuckets", &extra, options, {{"file", "# File"}});
  ASSERT_TRUE(built.hasValue()) << built.status().toString();
  const Story& s = *built;
  EXPECT_EQ(s.incident_id, inc.id);
  EXPECT_EQ(s.kind, incidents::AnnouncementKind::kEscalation);
  EXPECT_EQ(s.escalation, "first data access: s3:ListBuckets");
  EXPECT_EQ(s.key_id, kKeyA);
  EXPECT_EQ(s.token_tags, (std::vector<std::pair<std::string, std::string>>{{"env", "prod"}}));
  EXPECT_EQ(s.trigger_class, detect::TriggerClass::kSessionUsed)
      << "the class of the trigger being grouped";
  EXPECT_EQ(s.runbook_markdown, "# File");
  EXPECT_EQ(s.link, "https://honeytrail.example.com/incidents/" + inc.id);
  ASSERT_EQ(s.placements.size(), 1u);
  EXPECT_EQ(s.placements[0].host, "web-01");

  ASSERT_EQ(s.calls.size(), 2u);
  EXPECT_EQ(s.calls[0].event_source, "s3.amazonaws.com");
  EXPECT_EQ(s.calls[0].event_name, "ListBuckets");
  EXPECT_EQ(s.calls[0].count, 3u) << "e1, e2 and the extra e4";
  EXPECT_EQ(formatTime(s.calls[0].first_seen), "2026-11-28T12:00:00Z");
  EXPECT_EQ(formatTime(s.calls[0].last_seen), "2026-11-28T12:06:00Z");
  EXPECT_EQ(s.calls[1].event_name, "ListUsers");
  EXPECT_EQ(s.calls[1].count, 1u);

  ASSERT_EQ(s.callers.size(), 3u);
  EXPECT_EQ(s.callers[0].source_ip, "203.0.113.9");
  EXPECT_EQ(s.callers[0].count, 2u);
  EXPECT_EQ(s.callers[0].client, "aws-cli");
  std::vector<std::string> ips = {s.callers[1].source_ip, s.callers[2].source_ip};
  std::sort(ips.begin(), ips.end());
  EXPECT_EQ(ips, (std::vector<std::string>{"192.0.2.55", "198.51.100.7"}));
  EXPECT_EQ(s.intents, (std::vector<std::string>{"data-access", "enumeration"}));

  // An extra that the store already links is not counted twice; e4, stored and waiting to be
  // grouped within the window, is told too (a batch is grouped after it is read).
  detect::TriggerRecord linked = rec(tok, "e1", "203.0.113.9");
  auto again = buildStory(RouterStorage::of(*store_), inc, incidents::AnnouncementKind::kNew, "",
                          &linked, config::AlertsOptions{}, {});
  ASSERT_TRUE(again.hasValue());
  ASSERT_EQ(again->calls.size(), 2u);
  EXPECT_EQ(again->calls[0].count, 3u);
  // A waiting trigger far beyond the window belongs to a later incident: not told.
  clock_.advance(std::chrono::hours(5));
  detect::TriggerRecord later = rec(tok, "e5", "192.0.2.99");
  ASSERT_TRUE(*store_->addTrigger(later));
  auto without_later =
      buildStory(RouterStorage::of(*store_), inc, incidents::AnnouncementKind::kNew, "", &linked,
                 config::AlertsOptions{}, {});
  ASSERT_TRUE(without_later.hasValue());
  EXPECT_EQ(without_later->callers.size(), 3u) << "192.0.2.99 is not among the callers";
  EXPECT_EQ(again->link, "") << "no ui_base_url: no link";
  EXPECT_EQ(again->runbook_markdown, "") << "no runbooks at all";

  // Without an extra (a resolve), the class is the worst one seen.
  auto resolved = buildStory(RouterStorage::of(*store_), inc,
                             incidents::AnnouncementKind::kResolved, "", nullptr, options, {});
  ASSERT_TRUE(resolved.hasValue());
  EXPECT_EQ(resolved->trigger_class, detect::TriggerClass::kUsed);
}

// ---- quiet rules ------------------------------------------------------------------------------

TEST_F(RouterTest, QuietRuleBySourceCidrSuppressesAndExplainsOnTheTimeline) {
  config::AlertsOptions a = oneRoute();
  config::QuietOptions q = quiet("scanner", "2027-01-31T00:00:00Z");
  q.source_ips = {"192.0.2.0/24", "10.0.0.0/8"};
  q.reason = "our weekly scan";
  a.quiet = {q};
  start(a);
  IncidentUpdate quietened = fire(token(kKeyA), "e1", "10.20.30.40");
  EXPECT_TRUE(quietened.opened) << "the incident is still recorded";
  EXPECT_TRUE(outbox().empty());
  std::vector<incidents::IncidentEvent> suppressed = events(quietened.incident.id, "suppressed");
  ASSERT_EQ(suppressed.size(), 1u);
  EXPECT_EQ(suppressed[0].actor, "honeytrail");
  EXPECT_EQ(suppressed[0].text,
            "quiet rule scanner kept this new from route main (our weekly scan)");
  json details = json::parse(suppressed[0].details);
  EXPECT_EQ(details["route"], "main");
  EXPECT_EQ(details["quiet_rule"], "scanner");
  EXPECT_EQ(details["expires"], "2027-01-31T00:00:00Z");

  IncidentUpdate loud = fire(token(kKeyB), "e2", "203.0.113.9");
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook/main/new/pending"});
  EXPECT_TRUE(events(loud.incident.id, "suppressed").empty());
}

TEST_F(RouterTest, ExpiredQuietRuleNoLongerSilences) {
  config::AlertsOptions a = oneRoute();
  config::QuietOptions expired = quiet("old", "2026-11-28T11:59:59Z");
  expired.source_ips = {"10.0.0.0/8"};
  config::QuietOptions now = quiet("ends-now", "2026-11-28T12:00:00Z");
  now.source_ips = {"10.0.0.0/8"};
  config::QuietOptions unreadable = quiet("bad-date", "someday");
  unreadable.source_ips = {"10.0.0.0/8"};
  a.quiet = {expired, now, unreadable};
  start(a);
  IncidentUpdate u = fire(token(kKeyA), "e1", "10.0.0.5");
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook/main/new/pending"});
  EXPECT_TRUE(events(u.incident.id, "suppressed").empty());
}

TEST_F(RouterTest, QuietRuleLimitedToAnotherRouteLeavesThisRouteAnnouncing) {
  config::AlertsOptions a;
  a.outputs = {output("hook-a", "webhook"), output("hook-b", "webhook")};
  a.routes = {route("a", {"hook-a"}), route("b", {"hook-b"})};
  config::QuietOptions q = quiet("only-b", "2027-01-31T00:00:00Z");
  q.source_ips = {"203.0.113.0/24"};
  q.routes = {"b"};
  a.quiet = {q};
  start(a);
  IncidentUpdate u = fire(token(kKeyA), "e1", "203.0.113.9");
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook-a/a/new/pending"});
  std::vector<incidents::IncidentEvent> suppressed = events(u.incident.id, "suppressed");
  ASSERT_EQ(suppressed.size(), 1u);
  EXPECT_EQ(json::parse(suppressed[0].details)["route"], "b");
}

TEST_F(RouterTest, QuietRuleByUserAgentGlob) {
  config::AlertsOptions a = oneRoute();
  config::QuietOptions q = quiet("nuclei", "2027-01-31T00:00:00Z");
  q.user_agents = {"*nuclei*", "curl/*"};
  a.quiet = {q};
  start(a);
  detect::TriggerRecord scan = rec(token(kKeyA), "e1");
  scan.user_agent = "Mozilla/5.0 (compatible; nuclei/3.1)";
  IncidentUpdate quietened = fire(scan);
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(events(quietened.incident.id, "suppressed").size(), 1u);
  detect::TriggerRecord cli = rec(token(kKeyB), "e2");  // aws-cli: announced
  fire(cli);
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook/main/new/pending"});
}

TEST_F(RouterTest, QuietRuleByTokenIdOrKeyId) {
  config::AlertsOptions a = oneRoute();
  std::string ta = token(kKeyA);
  std::string tb = token(kKeyB);
  std::string tc = token(kKeyC);
  config::QuietOptions q = quiet("known-test-keys", "2027-01-31T00:00:00Z");
  q.tokens = {kKeyA, tb};
  a.quiet = {q};
  start(a);
  IncidentUpdate ua = fire(ta, "e1");
  IncidentUpdate ub = fire(tb, "e2");
  IncidentUpdate uc = fire(tc, "e3");
  std::vector<incidents::OutboxItem> items = outbox();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].incident_id, uc.incident.id);
  EXPECT_EQ(events(ua.incident.id, "suppressed").size(), 1u);
  EXPECT_EQ(events(ub.incident.id, "suppressed").size(), 1u);

  // A resolve goes where the incident was announced: nowhere for a quieted one, to the output
  // that paged for the other.
  ASSERT_TRUE(
      manager_->setState(ua.incident.id, incidents::IncidentState::kResolved, "alice").hasValue());
  EXPECT_EQ(outbox().size(), 1u);
  ASSERT_TRUE(
      manager_->setState(uc.incident.id, incidents::IncidentState::kResolved, "alice").hasValue());
  items = outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].incident_id, uc.incident.id);
  EXPECT_EQ(items[1].kind, incidents::AnnouncementKind::kResolved);
}

TEST_F(RouterTest, QuietRuleNeedsEverySetListToMatch) {
  config::AlertsOptions a = oneRoute();
  config::QuietOptions q = quiet("our-scanner", "2027-01-31T00:00:00Z");
  q.source_ips = {"10.0.0.0/8"};
  q.user_agents = {"*scanner*"};
  a.quiet = {q};
  start(a);
  detect::TriggerRecord ip_only = rec(token(kKeyA), "e1", "10.0.0.5");  // UA is aws-cli
  IncidentUpdate announced = fire(ip_only);
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook/main/new/pending"});
  EXPECT_TRUE(events(announced.incident.id, "suppressed").empty());
  detect::TriggerRecord both = rec(token(kKeyB), "e2", "10.0.0.6");
  both.user_agent = "acme-scanner/1.0";
  IncidentUpdate quietened = fire(both);
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(events(quietened.incident.id, "suppressed").size(), 1u);
}

// ---- throttle ---------------------------------------------------------------------------------

TEST_F(RouterTest, ThrottleHoldsBackAnnouncementsWithinTheWindowButNeverAResolve) {
  config::AlertsOptions a = oneRoute();
  a.routes[0].throttle_max = 1;
  a.routes[0].throttle_minutes = 60;
  start(a);
  std::string ta = token(kKeyA);
  std::string tb = token(kKeyB);
  std::string tc = token(kKeyC);

  IncidentUpdate first = fire(ta, "e1");  // 12:00
  EXPECT_EQ(outbox().size(), 1u);

  clock_.advance(std::chrono::minutes(10));  // 12:10: another token, within the hour
  IncidentUpdate held = fire(tb, "e2");
  EXPECT_EQ(outbox().size(), 1u);
  std::vector<incidents::IncidentEvent> suppressed = events(held.incident.id, "suppressed");
  ASSERT_EQ(suppressed.size(), 1u);
  EXPECT_NE(suppressed[0].text.find("throttled"), std::string::npos) << suppressed[0].text;
  EXPECT_NE(suppressed[0].text.find("route main"), std::string::npos) << suppressed[0].text;
  json details = json::parse(suppressed[0].details);
  EXPECT_EQ(details["route"], "main");
  EXPECT_EQ(details["recent"], 1);
  EXPECT_EQ(details["throttle_max"], 1);

  // 13:01: the first announcement left the window; the same token opens a new incident
  // (its previous one went quiet more than an hour ago) and it is announced.
  clock_.advance(std::chrono::minutes(51));
  IncidentUpdate again = fire(ta, "e3");
  ASSERT_TRUE(again.opened);
  EXPECT_NE(again.incident.id, first.incident.id);
  std::vector<incidents::OutboxItem> items = outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].incident_id, again.incident.id);
  EXPECT_EQ(items[1].kind, incidents::AnnouncementKind::kNew);

  // 13:02: throttled again, behind the 13:01 announcement.
  clock_.advance(std::chrono::minutes(1));
  IncidentUpdate held2 = fire(tc, "e4");
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_EQ(events(held2.incident.id, "suppressed").size(), 1u);

  // A resolve of an announced incident goes out although the route is at its limit; one that
  // was held back never paged, so there is nothing to close.
  ASSERT_TRUE(manager_->setState(again.incident.id, incidents::IncidentState::kResolved, "alice")
                  .hasValue());
  items = outbox();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[2].incident_id, again.incident.id);
  EXPECT_EQ(items[2].kind, incidents::AnnouncementKind::kResolved);
  ASSERT_TRUE(manager_->setState(held.incident.id, incidents::IncidentState::kResolved, "alice")
                  .hasValue());
  EXPECT_EQ(outbox().size(), 3u);
  EXPECT_EQ(events(held.incident.id, "suppressed").size(), 1u) << "no new suppression";
}

// ---- escalations ------------------------------------------------------------------------------

TEST_F(RouterTest, NewSourceIpIsAnEscalationItemAndARepeatIsNot) {
  start(oneRoute());
  std::string tok = token(kKeyA);
  IncidentUpdate first = fire(tok, "e1", "203.0.113.9");
  clock_.advance(std::chrono::minutes(1));
  fire(tok, "e2", "203.0.113.9");  // repeat: same IP, same call
  EXPECT_EQ(outboxSummary(), std::vector<std::string>{"hook/main/new/pending"});
  clock_.advance(std::chrono::minutes(1));
  IncidentUpdate esc = fire(tok, "e3", "198.51.100.7");
  EXPECT_EQ(esc.incident.id, first.incident.id);
  std::vector<incidents::OutboxItem> items = outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].kind, incidents::AnnouncementKind::kEscalation);
  EXPECT_EQ(items[1].incident_id, first.incident.id);
  json body = json::parse(items[1].body);
  EXPECT_EQ(body["kind"], "escalation");
  EXPECT_EQ(body["escalation"], "new source IP: 198.51.100.7");
  EXPECT_EQ(body["trigger_count"], 3);
  ASSERT_EQ(body["calls"].size(), 1u);
  EXPECT_EQ(body["calls"][0]["count"], 3) << "the trigger being grouped is counted";
  EXPECT_EQ(body["callers"].size(), 2u);
  clock_.advance(std::chrono::minutes(1));
  fire(tok, "e4", "198.51.100.7");  // a repeat of the escalation
  EXPECT_EQ(outbox().size(), 2u);
}

// ---- actions ----------------------------------------------------------------------------------

TEST_F(RouterTest, ActionsInTheirModesAndOnlyOnTheirKinds) {
  config::AlertsOptions a = oneRoute();
  config::ActionOptions dry;
  dry.name = "isolate";
  dry.type = config::ActionType::kCommand;
  dry.command = {"/usr/local/bin/isolate-host", "--now"};
  dry.mode = config::ActionMode::kDryRun;
  config::ActionOptions ask;
  ask.name = "soar";
  ask.type = config::ActionType::kWebhook;
  ask.url = "https://soar.example.com/hook?token=s3cret";
  ask.mode = config::ActionMode::kApproval;
  config::ActionOptions go;
  go.name = "ticket";
  go.type = config::ActionType::kCommand;
  go.command = {"/usr/local/bin/ticket"};
  go.mode = config::ActionMode::kAuto;
  config::ActionOptions every;
  every.name = "snapshot";
  every.type = config::ActionType::kCommand;
  every.command = {"/usr/local/bin/snapshot"};
  every.mode = config::ActionMode::kAuto;
  every.on = {"new", "escalation"};
  a.actions = {dry, ask, go, every};
  a.routes[0].actions = {"isolate", "soar", "ticket", "snapshot", "no-such-action"};
  a.routes.push_back(route("second", {"hook"}));
  a.routes[1].actions = {"ticket"};  // named twice: still one item
  start(a);

  std::string tok = token(kKeyA);
  IncidentUpdate u = fire(tok, "e1");
  const std::string id = u.incident.id;
  EXPECT_EQ(outboxSummary(), (std::vector<std::string>{
                                 "hook/main/new/pending", "action:isolate/main/new/dry-run",
                                 "action:soar/main/new/approval", "action:ticket/main/new/pending",
                                 "action:snapshot/main/new/pending"}));
  for (const auto& item : outbox()) {
    if (item.output.rfind("action:", 0) != 0) continue;
    json body = json::parse(item.body);
    EXPECT_EQ(body["incident_id"], id) << item.output;
    EXPECT_EQ(body["kind"], "new");
    EXPECT_EQ(body["token"]["key_id"], kKeyA);
  }
  std::vector<incidents::IncidentEvent> actions = events(id, "action");
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].text,
            "dry run: would run action isolate (command /usr/local/bin/isolate-host)");
  EXPECT_EQ(json::parse(actions[0].details), (json{{"action", "isolate"}, {"mode", "dry-run"}}));
  EXPECT_EQ(actions[1].text,
            "action soar (webhook https://soar.example.com/hook) waits for approval: "
            "honeytrail alert list --state approval")
      << "the URL's query (often a credential) is left out";
  EXPECT_EQ(json::parse(actions[1].details), (json{{"action", "soar"}, {"mode", "approval"}}));

  // An escalation runs only the actions that ask for escalations.
  clock_.advance(std::chrono::minutes(1));
  fire(tok, "e2", "198.51.100.7");
  std::vector<std::string> summary = outboxSummary();
  ASSERT_EQ(summary.size(), 7u);
  EXPECT_EQ(summary[5], "hook/main/escalation/pending");
  EXPECT_EQ(summary[6], "action:snapshot/main/escalation/pending");
  EXPECT_EQ(events(id, "action").size(), 2u);

  // A resolve runs no action.
  ASSERT_TRUE(manager_->setState(id, incidents::IncidentState::kResolved, "alice").hasValue());
  summary = outboxSummary();
  ASSERT_EQ(summary.size(), 8u);
  EXPECT_EQ(summary[7], "hook/main/resolved/pending");
}

// ---- ipMatches --------------------------------------------------------------------------------

TEST(RouterIpMatches, Ipv4Blocks) {
  EXPECT_TRUE(ipMatches("203.0.113.9", "0.0.0.0/0"));
  EXPECT_TRUE(ipMatches("255.255.255.255", "0.0.0.0/0"));
  EXPECT_TRUE(ipMatches("10.0.0.0", "10.0.0.0/8"));
  EXPECT_TRUE(ipMatches("10.255.255.255", "10.0.0.0/8"));
  EXPECT_FALSE(ipMatches("11.0.0.0", "10.0.0.0/8"));
  EXPECT_FALSE(ipMatches("9.255.255.255", "10.0.0.0/8"));
  EXPECT_TRUE(ipMatches("172.31.255.255", "172.16.0.0/12"));
  EXPECT_FALSE(ipMatches("172.32.0.0", "172.16.0.0/12"));
  EXPECT_FALSE(ipMatches("172.15.255.255", "172.16.0.0/12"));
  EXPECT_TRUE(ipMatches("192.0.2.7", "192.0.2.7/32"));
  EXPECT_FALSE(ipMatches("192.0.2.6", "192.0.2.7/32"));
  EXPECT_TRUE(ipMatches("192.0.2.6", "192.0.2.6/31"));
  EXPECT_TRUE(ipMatches("192.0.2.7", "192.0.2.6/31"));
  EXPECT_FALSE(ipMatches("192.0.2.5", "192.0.2.6/31"));
  EXPECT_FALSE(ipMatches("192.0.2.8", "192.0.2.6/31"));
  EXPECT_TRUE(ipMatches("203.0.113.9", "203.0.113.9")) << "an address without a prefix";
  EXPECT_FALSE(ipMatches("203.0.113.10", "203.0.113.9"));
}

TEST(RouterIpMatches, Ipv6Blocks) {
  EXPECT_TRUE(ipMatches("2001:db8::1", "::/0"));
  EXPECT_TRUE(ipMatches("::1", "::/0"));
  EXPECT_TRUE(ipMatches("2001:db8::1", "2001:db8::/32"));
  EXPECT_TRUE(ipMatches("2001:db8:ffff:ffff::1", "2001:db8::/32"));
  EXPECT_FALSE(ipMatches("2001:db9::1", "2001:db8::/32"));
  EXPECT_FALSE(ipMatches("2001:db7:ffff::1", "2001:db8::/32"));
  EXPECT_TRUE(ipMatches("2001:db8::1", "2001:db8::1"));
  EXPECT_FALSE(ipMatches("2001:db8::2", "2001:db8::1"));
}

TEST(RouterIpMatches, FamilyMismatchAndGarbageNeverMatch) {
  EXPECT_FALSE(ipMatches("10.0.0.1", "::/0"));
  EXPECT_FALSE(ipMatches("2001:db8::1", "0.0.0.0/0"));
  EXPECT_FALSE(ipMatches("", "0.0.0.0/0"));
  EXPECT_FALSE(ipMatches("not-an-ip", "10.0.0.0/8"));
  EXPECT_FALSE(ipMatches("10.0.0.1", "not-a-block"));
  EXPECT_FALSE(ipMatches("10.0.0.1", ""));
  EXPECT_FALSE(ipMatches("10.0.0.1", "10.0.0.0.0/8"));
}

// BUG: (regression test; fixed in src/alert/router.cpp while this test was written) ipMatches
// read the prefix with std::atoi and clamped it, so a prefix that is not a number ("/abc", "/")
// or is negative read as /0 and the block matched every address of its family. Quiet rules'
// source_ips are not validated at load time, so a typo in one silenced every trigger. A
// malformed block must match nothing.
TEST(RouterIpMatches, MalformedPrefixMatchesNothing) {
  EXPECT_FALSE(ipMatches("203.0.113.9", "10.0.0.0/abc"));
  EXPECT_FALSE(ipMatches("203.0.113.9", "10.0.0.0/"));
  EXPECT_FALSE(ipMatches("203.0.113.9", "10.0.0.0/-8"));
  EXPECT_FALSE(ipMatches("2001:db9::1", "2001:db8::/x"));
  EXPECT_FALSE(ipMatches("10.0.0.1", "10.0.0.0/8x"));
  EXPECT_FALSE(ipMatches("10.0.0.1", "10.0.0.1/33"));
  EXPECT_FALSE(ipMatches("2001:db8::1", "2001:db8::1/129"));
  EXPECT_TRUE(ipMatches("2001:db8::1", "2001:db8::1/128"));
}

// ---- runbooks ---------------------------------------------------------------------------------

TEST(RouterLoadRunbooks, InlineRelativeAndAbsoluteFiles) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("runbooks"));
  test::writeText(dir.file("runbooks/file.md"), "# File token\nRotate the host's keys.\n");
  test::writeText(dir.file("abs.md"), "# Absolute\n");
  config::AlertsOptions a;
  config::RunbookOptions inline_rb;
  inline_rb.name = "lambda";
  inline_rb.markdown = "# Lambda\nCheck the function's env.";
  config::RunbookOptions relative;
  relative.name = "file";
  relative.file = "runbooks/file.md";
  config::RunbookOptions absolute;
  absolute.name = "default";
  absolute.file = dir.file("abs.md");
  a.runbooks = {inline_rb, relative, absolute};
  auto loaded = loadRunbooks(a, dir.path());
  ASSERT_TRUE(loaded.hasValue()) << loaded.status().toString();
  EXPECT_EQ(*loaded,
            (std::map<std::string, std::string>{{"lambda", "# Lambda\nCheck the function's env."},
                                                {"file", "# File token\nRotate the host's keys.\n"},
                                                {"default", "# Absolute\n"}}));
  EXPECT_TRUE(loadRunbooks(config::AlertsOptions{}, dir.path())->empty());
}

TEST(RouterLoadRunbooks, MissingFileIsAnErrorNamingTheRunbookAndThePath) {
  test::TempDir dir;
  config::AlertsOptions a;
  config::RunbookOptions gone;
  gone.name = "gone";
  gone.file = "runbooks/gone.md";
  a.runbooks = {gone};
  auto loaded = loadRunbooks(a, dir.path());
  ASSERT_FALSE(loaded.hasValue());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  const std::string message = loaded.status().message();
  EXPECT_NE(message.find("alerts.runbooks.gone.file"), std::string::npos) << message;
  EXPECT_NE(message.find(dir.file("runbooks/gone.md")), std::string::npos) << message;
}

// ---- test story -------------------------------------------------------------------------------

TEST(RouterTestStory, IsClearlyATestWithTheDocumentationKey) {
  TimePoint now = at("2026-11-28T12:00:00Z");
  Story s = testStory("oncall", "https://honeytrail.example.com", now);
  EXPECT_TRUE(s.test);
  EXPECT_EQ(s.kind, incidents::AnnouncementKind::kTest);
  EXPECT_EQ(s.key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_NE(s.headline.find("TEST"), std::string::npos) << s.headline;
  EXPECT_NE(s.headline.find("oncall"), std::string::npos) << s.headline;
  EXPECT_EQ(s.incident_id, "inc-test" + std::to_string(toUnixSeconds(now)));
  EXPECT_EQ(s.link, "https://honeytrail.example.com/incidents/" + s.incident_id);
  ASSERT_EQ(s.custody.size(), 1u);
  EXPECT_EQ(s.custody[0].notes, "alert test --route oncall");
  EXPECT_EQ(testStory("oncall", "", now).link, "");
}

// BUG: (regression test; fixed in src/alert/router.cpp while this test was written) testStory
// appended "/incidents/" to ui_base_url as given, while buildStory strips trailing slashes
// first; with ui_base_url "https://x/" (passed raw by `honeytrail alert test`) the test message
// linked to "https://x//incidents/...", unlike real alerts.
TEST(RouterTestStory, LinkToleratesATrailingSlashLikeRealAlerts) {
  TimePoint now = at("2026-11-28T12:00:00Z");
  Story s = testStory("oncall", "https://honeytrail.example.com/", now);
  EXPECT_EQ(s.link, "https://honeytrail.example.com/incidents/" + s.incident_id);
}

// ---- no routes --------------------------------------------------------------------------------

TEST_F(RouterTest, NoRoutesAnnouncesNothing) {
  config::AlertsOptions a;
  a.outputs = {output("hook", "webhook")};
  start(a);
  std::string tok = token(kKeyA);
  IncidentUpdate u = fire(tok, "e1");
  EXPECT_TRUE(u.opened);
  EXPECT_TRUE(outbox().empty());
  EXPECT_TRUE(events(u.incident.id, "suppressed").empty());
  detect::TriggerRecord t = rec(tok, "e2");
  auto direct =
      router_->announce(incident(u.incident.id), incidents::AnnouncementKind::kEscalation, "x", &t);
  ASSERT_TRUE(direct.hasValue()) << direct.status().toString();
  EXPECT_TRUE(direct->items.empty());
  EXPECT_TRUE(direct->events.empty());
}

}  // namespace
}  // namespace ht::alert
