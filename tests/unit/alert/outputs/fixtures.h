// What the output tests share: the stories they render and deliver, and the outbox items and
// options they hand to the outputs. One copy, so that every output is checked against the same
// story.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

#include "alert/story.h"
#include "config/options.h"
#include "core/clock.h"
#include "store/store.h"

namespace ht::alert::fixtures {

// ---- The story of the payload tests: every section filled, with hostile attacker text ---------

inline const std::string kLink = "https://honeytrail.example.com/incidents/inc-20261128-0001";
inline const TimePoint kFirst = fromUnixSeconds(1795875292);  // 2026-11-28T14:14:52Z
inline const TimePoint kLast = fromUnixSeconds(1795880692);   // 2026-11-28T15:44:52Z

// 5,000+ characters of user agent with markup, entities, mentions and line breaks.
inline std::string hostileAgent() {
  return "<script>alert(1)</script> & <!channel> [click](http://evil.example) {html}x{html} "
         "!http://evil.example/p.png!\r\nBcc: victim@example.com\n" +
         std::string(5000, 'A');
}

inline Story makeStory() {
  Story s;
  s.incident_id = "inc-20261128-0001";
  s.kind = incidents::AnnouncementKind::kNew;
  s.headline = "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)";
  s.severity = Severity::kCritical;
  s.state = incidents::IncidentState::kOpen;
  s.trigger_class = detect::TriggerClass::kUsed;
  s.token_id = "tok_01HXQ4Z";
  s.key_id = "AKIA2E0A8F3B244C9986";
  s.token_label = "deploy-ci-prod";
  s.account_id = "111122223333";
  s.user_arn = "arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod";
  s.token_tags = {{"honeytrail", "token"}, {"team", "ops"}};
  s.placements = {
      {"web-01", "/home/deploy/.aws/credentials", "aws-credentials-file", "ops"},
      {"ci.example.com", "GitHub secret acme/api AWS_ACCESS_KEY_ID", "ci-secret", "platform"}};
  s.custody = {{fromUnixSeconds(1790000000), "honeytrail", "minted", "IAM user, no policies"},
               {fromUnixSeconds(1790000600), "ansible", "placed", "role honeytoken on web-01"},
               {fromUnixSeconds(1791000000), "alice", "copied", "into CI for the canary job"}};
  s.calls = {{"sts.amazonaws.com", "GetCallerIdentity", "us-east-1", "", 3, kFirst, kFirst},
             {"s3.amazonaws.com", "ListBuckets", "us-east-1", "AccessDenied", 5, kFirst, kLast},
             {"iam.amazonaws.com", "ListUsers", "us-east-1", "AccessDenied", 2, kLast, kLast}};
  StoryCaller cli;
  cli.source_ip = "203.0.113.9";
  cli.user_agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12";
  cli.client = "aws-cli";
  cli.country = "DE";
  cli.asn = 64500;
  cli.as_org = "Example Hosting GmbH";
  cli.tor = false;
  cli.count = 7;
  StoryCaller bad;
  bad.source_ip = "198.51.100.23";
  bad.user_agent = hostileAgent();
  bad.client = "unknown";
  bad.country = "NL";
  bad.asn = 64501;
  bad.as_org = "Onion Relays BV";
  bad.tor = true;
  bad.count = 3;
  s.callers = {cli, bad};
  s.intents = {"identity-check", "enumeration"};
  s.first_seen = kFirst;
  s.last_seen = kLast;
  s.trigger_count = 10;
  s.runbook_markdown =
      "## Respond\n"
      "1. **Do not delete the key** yet: it is the tripwire.\n"
      "2. Follow [the runbook wiki](https://wiki.example.com/honey?x=1&y=2) to escalate.\n"
      "- Rotate every other secret on the hosts above.\n";
  s.link = kLink;
  return s;
}

// Code points, counted here independently of the implementation.
inline size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---- The story and helpers of the delivery tests ----------------------------------------------

inline TimePoint at(const char* text) { return *parseTime(text); }

inline Story makeStory(const std::string& incident_id, const std::string& kind) {
  Story s;
  s.incident_id = incident_id;
  s.kind = *incidents::parseAnnouncementKind(kind);
  s.headline = "Honey key AKIASP2TPHJSQH3FJRUX used from 203.0.113.9 (aws-cli)";
  if (kind == "escalation") s.escalation = "first write call: s3:PutObject";
  s.severity = Severity::kHigh;
  s.state =
      kind == "resolved" ? incidents::IncidentState::kResolved : incidents::IncidentState::kOpen;
  s.trigger_class = detect::TriggerClass::kUsed;
  s.token_id = "tok-1";
  s.key_id = "AKIASP2TPHJSQH3FJRUX";
  s.token_label = "Büro deploy key";  // non-ASCII must survive every protocol
  s.account_id = "123456789012";
  s.user_arn = "arn:aws:iam::123456789012:user/honey-deploy";
  s.token_tags = {{"env", "prod"}};
  s.placements = {{"web-01", "/srv/app/.env", "file", "ops"}};
  s.custody = {{at("2026-01-02T03:04:05Z"), "ops", "placed", ""}};
  StoryCall call;
  call.event_source = "sts.amazonaws.com";
  call.event_name = "GetCallerIdentity";
  call.aws_region = "us-east-1";
  call.count = 3;
  call.first_seen = at("2026-03-01T10:00:00Z");
  call.last_seen = at("2026-03-01T10:05:00Z");
  s.calls = {call};
  StoryCaller caller;
  caller.source_ip = "203.0.113.9";
  caller.user_agent = "aws-cli/2.15.0";
  caller.client = "aws-cli";
  caller.count = 3;
  s.callers = {caller};
  s.intents = {"identity-check"};
  s.first_seen = at("2026-03-01T10:00:00Z");
  s.last_seen = at("2026-03-01T10:05:00Z");
  s.trigger_count = 3;
  // A line that is a lone dot would end the SMTP DATA early unless it is dot-stuffed.
  s.runbook_markdown = "1. Disable the key.\n.\n..and rotate whatever it touched.";
  s.link = "https://honeytrail.example.com/incidents/" + incident_id;
  return s;
}

inline incidents::OutboxItem itemFor(const std::string& incident_id,
                                     incidents::AnnouncementKind kind, std::string body) {
  incidents::OutboxItem item;
  item.id = 1;
  item.incident_id = incident_id;
  item.output = "remote";
  item.kind = kind;
  item.body = std::move(body);
  return item;
}

inline config::OutputOptions baseOptions(const std::string& type) {
  config::OutputOptions o;
  o.name = type;
  o.type = type;
  o.allow_private = true;  // every receiver here is on 127.0.0.1
  o.timeout_ms = 5000;
  return o;
}

// A port on 127.0.0.1 that nothing listens on.
inline int closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One outbox item holding body, as the local outputs get it.
inline incidents::OutboxItem itemWith(std::string body, int64_t id = 1) {
  incidents::OutboxItem item;
  item.id = id;
  item.incident_id = "inc-1";
  item.output = "out";
  item.kind = incidents::AnnouncementKind::kNew;
  item.body = std::move(body);
  return item;
}

}  // namespace ht::alert::fixtures
