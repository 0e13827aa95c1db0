#include "detect/trigger.h"

namespace ht::detect {

detect::TriggerRecord makeTrigger(const FoundEvent& f, const Match& m, const Enricher* enricher,
                                 TimePoint now) {
  detect::TriggerRecord t;
  const CloudTrailEvent& e = f.event;
  t.event_id = e.event_id;
  t.token_id = m.token->id;
  t.trigger_class = m.trigger_class;
  t.source = f.source;
  t.event_time = e.time;
  t.event_source = e.event_source;
  t.event_name = e.event_name;
  t.aws_region = e.aws_region;
  t.source_ip = e.source_ip;
  t.user_agent = e.user_agent;
  t.error_code = e.error_code;
  t.error_message = e.error_message;
  t.recipient_account_id = e.recipient_account_id;
  t.request_id = e.request_id;
  t.read_only = e.read_only;
  t.client = f.classification.client;
  t.intent = f.classification.intent;
  t.matched_on = m.matched_on;
  t.record = f.record;
  t.created_at = now;
  if (enricher != nullptr) {
    IpEnrichment ip = enricher->lookup(e.source_ip);
    t.source_country = ip.country;
    t.source_asn = ip.asn;
    t.source_as_org = ip.as_org;
    t.source_tor = ip.tor_exit;
  }
  return t;
}

detect::TriggerRecord makeLastUsedTrigger(const LastUsedTrigger& u, TimePoint now) {
  detect::TriggerRecord t;
  t.event_id = "last-used:" + u.key_id + ":" + formatTime(u.last_used_at);
  t.token_id = u.token_id;
  t.trigger_class = TriggerClass::kUsed;
  t.source = "last-used";
  t.event_time = u.last_used_at;
  t.aws_region = u.region;
  t.service = u.service;
  t.event_source = u.service.empty() ? "" : u.service + ".amazonaws.com";
  t.matched_on = "GetAccessKeyLastUsed";
  t.client = "unknown";
  t.intent = "unknown";
  t.created_at = now;
  return t;
}

}  // namespace ht::detect
