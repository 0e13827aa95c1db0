#include "detect/event.h"

#include <simdjson.h>

#include <string>
#include <utility>

namespace ht::detect {
namespace {

namespace od = simdjson::ondemand;

const char* typeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

Status wrongType(const std::string& path, const char* expected, od::json_type got) {
  return Status::invalidArgument(path + ": expected " + expected + ", got " + typeName(got));
}

// Malformed JSON found while walking the record: the text is damaged, not merely odd.
Status broken(const std::string& path, simdjson::error_code e) {
  return Status::corruption("CloudTrail record is not valid JSON" +
                            (path.empty() ? std::string() : " (at " + path + ")") + ": " +
                            simdjson::error_message(e));
}

// A string field: a string, or null (kept as ""). Anything else names the field.
Status readString(od::value& v, const std::string& path, std::string* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return broken(path, e);
  if (t == od::json_type::null) {
    out->clear();
    return Status::ok();
  }
  if (t != od::json_type::string) return wrongType(path, "a string", t);
  std::string_view s;
  if (auto e = v.get_string().get(s)) return broken(path, e);
  out->assign(s);
  return Status::ok();
}

// Any JSON value kept as its text; null becomes "" so callers test one thing.
Status readRaw(od::value& v, const std::string& path, std::string* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return broken(path, e);
  std::string_view raw;
  simdjson::error_code e = simdjson::SUCCESS;
  switch (t) {
    case od::json_type::null:
      out->clear();
      return Status::ok();
    case od::json_type::object: {
      od::object o;
      e = v.get_object().get(o);
      if (!e) e = o.raw_json().get(raw);
      break;
    }
    case od::json_type::array: {
      od::array a;
      e = v.get_array().get(a);
      if (!e) e = a.raw_json().get(raw);
      break;
    }
    default:
      raw = v.raw_json_token();
      break;
  }
  if (e) return broken(path, e);
  out->assign(raw);
  // raw_json_token() keeps trailing white space before the next comma.
  while (!out->empty() && (out->back() == ' ' || out->back() == '\n' || out->back() == '\r' ||
                           out->back() == '\t')) {
    out->pop_back();
  }
  return Status::ok();
}

// AWS emits readOnly as a JSON boolean. Some re-shippers (the Wazuh AWS module, seen in
// shared/testdata/cloudtrail/wazuh) turn it into "true"/"false"; accepting that costs nothing
// and keeps the record. Any other string or type is an error.
Status readBool(od::value& v, const std::string& path, std::optional<bool>* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return broken(path, e);
  if (t == od::json_type::null) {
    out->reset();
    return Status::ok();
  }
  if (t == od::json_type::boolean) {
    bool b = false;
    if (auto e = v.get_bool().get(b)) return broken(path, e);
    *out = b;
    return Status::ok();
  }
  if (t == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return broken(path, e);
    if (s == "true" || s == "false") {
      *out = (s == "true");
      return Status::ok();
    }
    return Status::invalidArgument(path + ": expected a boolean, got the string \"" +
                                   std::string(s.substr(0, 16)) + "\"");
  }
  return wrongType(path, "a boolean", t);
}

// Runs fn(key, value) for each member of v, which must be an object (or null: no members).
template <typename Fn>
Status forEachMember(od::value& v, const std::string& path, Fn&& fn) {
  od::json_type t;
  if (auto e = v.type().get(t)) return broken(path, e);
  if (t == od::json_type::null) return Status::ok();
  if (t != od::json_type::object) return wrongType(path, "an object", t);
  od::object obj;
  if (auto e = v.get_object().get(obj)) return broken(path, e);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return broken(path, e);
    od::value member;
    if (auto e = field.value().get(member)) return broken(path, e);
    HT_RETURN_IF_ERROR(fn(key, member));
  }
  return Status::ok();
}

Status readSessionContext(od::value& v, UserIdentity* id) {
  return forEachMember(v, "userIdentity.sessionContext", [&](std::string_view key, od::value& m) {
    if (key != "sessionIssuer") return Status::ok();
    const std::string base = "userIdentity.sessionContext.sessionIssuer";
    return forEachMember(m, base, [&](std::string_view k, od::value& f) {
      if (k == "arn") return readString(f, base + ".arn", &id->session_issuer_arn);
      if (k == "principalId") {
        return readString(f, base + ".principalId", &id->session_issuer_principal_id);
      }
      return Status::ok();
    });
  });
}

Status readIdentity(od::value& v, UserIdentity* id) {
  return forEachMember(v, "userIdentity", [&](std::string_view key, od::value& m) {
    const std::string path = "userIdentity." + std::string(key);
    if (key == "type") return readString(m, path, &id->type);
    if (key == "principalId") return readString(m, path, &id->principal_id);
    if (key == "arn") return readString(m, path, &id->arn);
    if (key == "accountId") return readString(m, path, &id->account_id);
    if (key == "accessKeyId") return readString(m, path, &id->access_key_id);
    if (key == "userName") return readString(m, path, &id->user_name);
    if (key == "invokedBy") return readString(m, path, &id->invoked_by);
    if (key == "sessionContext") return readSessionContext(m, id);
    return Status::ok();
  });
}

// The two request fields detection needs by value (AttachUserPolicy for quarantine, mentions
// of the honey user by name). requestParameters is small, so a second parse of its text is
// cheaper to reason about than tracking positions through the first.
void readRequestFields(const std::string& raw, CloudTrailEvent* ev) {
  if (raw.empty() || raw.front() != '{') return;
  thread_local od::parser parser;
  simdjson::padded_string padded(raw);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return;
  od::object obj;
  if (doc.get_object().get(obj)) return;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return;
    std::string_view s;
    if (key == "userName") {
      if (!field.value().get_string().get(s)) ev->request_user_name.assign(s);
    } else if (key == "policyArn") {
      if (!field.value().get_string().get(s)) ev->request_policy_arn.assign(s);
    }
  }
}

}  // namespace

Result<CloudTrailEvent> parseEvent(std::string_view record_json) {
  // One parser and buffer per thread: ingest threads parse millions of records, and simdjson
  // wants SIMDJSON_PADDING readable bytes past the end of the text.
  thread_local od::parser parser;
  thread_local std::string buffer;
  buffer.reserve(record_json.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(record_json);

  od::document doc;
  if (auto e = parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) {
    return broken("", e);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) {
      return Status::corruption("CloudTrail record is not a JSON object");
    }
    return broken("", e);
  }

  CloudTrailEvent ev;
  for (auto field : root) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return broken("", e);
    od::value v;
    if (auto e = field.value().get(v)) return broken(std::string(key), e);
    const std::string path(key);
    Status st;
    if (key == "eventID") {
      st = readString(v, path, &ev.event_id);
    } else if (key == "eventTime") {
      st = readString(v, path, &ev.event_time);
    } else if (key == "eventSource") {
      st = readString(v, path, &ev.event_source);
    } else if (key == "eventName") {
      st = readString(v, path, &ev.event_name);
    } else if (key == "awsRegion") {
      st = readString(v, path, &ev.aws_region);
    } else if (key == "sourceIPAddress") {
      st = readString(v, path, &ev.source_ip);
    } else if (key == "userAgent") {
      st = readString(v, path, &ev.user_agent);
    } else if (key == "errorCode") {
      st = readString(v, path, &ev.error_code);
    } else if (key == "errorMessage") {
      st = readString(v, path, &ev.error_message);
    } else if (key == "recipientAccountId") {
      st = readString(v, path, &ev.recipient_account_id);
    } else if (key == "requestID") {
      st = readString(v, path, &ev.request_id);
    } else if (key == "eventType") {
      st = readString(v, path, &ev.event_type);
    } else if (key == "eventCategory") {
      st = readString(v, path, &ev.event_category);
    } else if (key == "readOnly") {
      st = readBool(v, path, &ev.read_only);
    } else if (key == "userIdentity") {
      st = readIdentity(v, &ev.identity);
    } else if (key == "requestParameters") {
      st = readRaw(v, path, &ev.request_parameters);
    } else if (key == "responseElements") {
      st = readRaw(v, path, &ev.response_elements);
    }
    HT_RETURN_IF_ERROR(st);
  }
  // simdjson 3.0 has no document::at_end(); a location past the object means trailing text.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status::corruption("CloudTrail record has text after the object");
  }

  // A record whose time will not parse is still a record: detection must not drop a honey-key
  // use over a timestamp, so time stays empty and event_time keeps the text.
  if (!ev.event_time.empty()) ev.time = parseTime(ev.event_time);
  readRequestFields(ev.request_parameters, &ev);
  return ev;
}

}  // namespace ht::detect
