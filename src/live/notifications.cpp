#include "live/notifications.h"

#include <nlohmann/json.hpp>
#include <set>

#include "aws/xml.h"

namespace ht::live {

namespace {

using Json = nlohmann::json;

// SNS inside SNS (a topic subscribed to a topic) is possible but rare; this only stops a message
// that keeps wrapping itself from recursing without bound.
constexpr int kMaxEnvelopeDepth = 4;

Status invalid(const std::string& where, const std::string& what) {
  return Status::invalidArgument(where + ": " + what);
}

const char* typeName(const Json& v) { return v.type_name(); }

// A required string member of obj, named by its path for errors.
Result<std::string> requireString(const Json& obj, const char* name, const std::string& where,
                                  const std::string& path) {
  auto it = obj.find(name);
  if (it == obj.end()) return invalid(where, path + " is missing");
  if (!it->is_string()) {
    return invalid(where, path + " is a " + typeName(*it) + ", not a string");
  }
  return it->get<std::string>();
}

Result<const Json*> requireObject(const Json& obj, const char* name, const std::string& where,
                                  const std::string& path) {
  auto it = obj.find(name);
  if (it == obj.end()) return invalid(where, path + " is missing");
  if (!it->is_object()) {
    return invalid(where, path + " is a " + typeName(*it) + ", not an object");
  }
  return &*it;
}

// s3.object.size is a number in real events; the documented template shows a string, so a
// string of digits is taken too.
Result<uint64_t> objectSize(const Json& object, const std::string& where, const std::string& path) {
  auto it = object.find("size");
  if (it == object.end() || it->is_null()) return uint64_t{0};
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer() && it->get<int64_t>() >= 0) {
    return static_cast<uint64_t>(it->get<int64_t>());
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    uint64_t v = 0;
    bool ok = !s.empty() && s.size() <= 19;
    for (char c : s) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (ok) return v;
  }
  return invalid(where, path + " is not a size: " + it->dump());
}

Result<Notice> parseS3Event(const Json& doc, const std::string& where) {
  const Json& records = *doc.find("Records");
  if (!records.is_array()) {
    return invalid(where, std::string("Records is a ") + typeName(records) + ", not an array");
  }
  Notice notice;
  notice.kind = NoticeKind::kS3Event;
  for (size_t i = 0; i < records.size(); ++i) {
    const Json& rec = records[i];
    const std::string at = "Records[" + std::to_string(i) + "]";
    if (!rec.is_object()) {
      return invalid(where, at + " is a " + typeName(rec) + ", not an object");
    }
    // A record without eventName is not an S3 event at all (an SQS or SNS Lambda event, say):
    // failing it keeps a misrouted queue from being drained silently.
    HT_ASSIGN_OR_RETURN(std::string event_name,
                        requireString(rec, "eventName", where, at + ".eventName"));
    // ObjectRemoved, ObjectRestore, Replication, ...: nothing new to read.
    if (event_name.rfind("ObjectCreated:", 0) != 0) continue;
    HT_ASSIGN_OR_RETURN(const Json* s3, requireObject(rec, "s3", where, at + ".s3"));
    HT_ASSIGN_OR_RETURN(const Json* bucket, requireObject(*s3, "bucket", where, at + ".s3.bucket"));
    HT_ASSIGN_OR_RETURN(const Json* object, requireObject(*s3, "object", where, at + ".s3.object"));
    ObjectRef ref;
    HT_ASSIGN_OR_RETURN(ref.bucket, requireString(*bucket, "name", where, at + ".s3.bucket.name"));
    HT_ASSIGN_OR_RETURN(std::string key,
                        requireString(*object, "key", where, at + ".s3.object.key"));
    if (ref.bucket.empty()) return invalid(where, at + ".s3.bucket.name is empty");
    if (key.empty()) return invalid(where, at + ".s3.object.key is empty");
    ref.key = decodeS3EventKey(key);
    HT_ASSIGN_OR_RETURN(ref.size, objectSize(*object, where, at + ".s3.object.size"));
    if (isDigestKey(ref.key)) continue;
    notice.objects.push_back(std::move(ref));
  }
  return notice;
}

Result<Notice> parseCloudTrailNotice(const Json& doc, const std::string& where) {
  HT_ASSIGN_OR_RETURN(std::string bucket, requireString(doc, "s3Bucket", where, "s3Bucket"));
  if (bucket.empty()) return invalid(where, "s3Bucket is empty");
  auto found = doc.find("s3ObjectKey");
  if (found == doc.end()) return invalid(where, "s3ObjectKey is missing");
  const Json& keys = *found;
  if (!keys.is_array()) {
    return invalid(where, std::string("s3ObjectKey is a ") + typeName(keys) + ", not an array");
  }
  Notice notice;
  notice.kind = NoticeKind::kCloudTrailNotice;
  // CloudTrail has been seen to list one key twice in a notice; fetching it twice would
  // double every event in it.
  std::set<std::string> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string at = "s3ObjectKey[" + std::to_string(i) + "]";
    if (!keys[i].is_string()) {
      return invalid(where, at + " is a " + typeName(keys[i]) + ", not a string");
    }
    // CloudTrail writes keys as they are (not URL-encoded, unlike S3 event notifications).
    std::string key = keys[i].get<std::string>();
    if (key.empty()) return invalid(where, at + " is empty");
    if (isDigestKey(key) || !seen.insert(key).second) continue;
    notice.objects.push_back(ObjectRef{bucket, std::move(key), 0});
  }
  return notice;
}

std::string topLevelKeys(const Json& doc) {
  std::string out;
  size_t n = 0;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (n++ == 8) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += it.key();
  }
  return out.empty() ? "none" : out;
}

Result<Notice> parseAt(std::string_view body, const std::string& where, int depth) {
  Json doc;
  try {
    doc = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    return invalid(where, std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object()) {
    return invalid(where, std::string("a JSON ") + typeName(doc) + ", not an object");
  }

  auto type = doc.find("Type");
  // An SNS envelope: Type with Message or TopicArn, so that one missing its Message is reported
  // as such rather than as an unknown shape.
  if (type != doc.end() && (doc.contains("Message") || doc.contains("TopicArn"))) {
    if (!type->is_string() || type->get<std::string>() != "Notification") {
      return invalid(where, "an SNS message of Type " + type->dump() + ", not a Notification");
    }
    HT_ASSIGN_OR_RETURN(std::string message, requireString(doc, "Message", where, "Message"));
    if (depth >= kMaxEnvelopeDepth) return invalid(where, "SNS envelopes nested too deep");
    return parseAt(message, where + " > SNS Message", depth + 1);
  }
  if (doc.contains("Records")) return parseS3Event(doc, where);
  if (doc.contains("s3Bucket") || doc.contains("s3ObjectKey")) {
    return parseCloudTrailNotice(doc, where);
  }
  auto event = doc.find("Event");
  if (event != doc.end()) {
    if (event->is_string() && event->get<std::string>() == "s3:TestEvent") {
      Notice notice;
      notice.kind = NoticeKind::kTestEvent;
      return notice;
    }
    return invalid(where, "Event is " + event->dump() + ", not \"s3:TestEvent\"");
  }
  if (doc.contains("detail-type") && doc.contains("detail")) {
    const Json& detail = *doc.find("detail");
    if (!detail.is_object()) {
      return invalid(
          where, std::string("EventBridge detail is a ") + typeName(detail) + ", not an object");
    }
    Notice notice;
    notice.kind = NoticeKind::kEventBridge;
    notice.inner = std::string(body);
    return notice;
  }
  return invalid(where,
                 "not an S3 event notification, CloudTrail notice, s3:TestEvent, SNS "
                 "notification or EventBridge event (top-level keys: " +
                     topLevelKeys(doc) + ")");
}

}  // namespace

Result<Notice> parseNotice(std::string_view body) { return parseAt(body, "message body", 0); }

bool isDigestKey(std::string_view key) {
  constexpr std::string_view kDigest = "CloudTrail-Digest/";
  for (size_t pos = key.find(kDigest); pos != std::string_view::npos;
       pos = key.find(kDigest, pos + 1)) {
    if (pos == 0 || key[pos - 1] == '/') return true;
  }
  return false;
}

std::string decodeS3EventKey(std::string_view key) {
  // S3 event notifications form-encode keys: %XX escapes and '+' for a space.
  return aws::xml::percentDecode(key, /*plus_is_space=*/true);
}

}  // namespace ht::live
