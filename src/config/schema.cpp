#include "config/schema.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/clock.h"
#include "core/strings.h"

namespace ht::config {
namespace detail {

Result<int> parseInt(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  // from_chars alone would accept "12abc" up to the letters and reject "+5"; be explicit so that
  // "30 days" or "1e3" is an error instead of silently becoming 30 or 1.
  bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (!all_digits) return Status::invalidArgument("not an integer");
  if (text.front() == '+') text.remove_prefix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return Status::invalidArgument("integer out of range");
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::invalidArgument("not an integer");
  }
  return value;
}

Result<bool> parseBool(std::string_view text) {
  std::string lower = toLower(text);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return Status::invalidArgument("not a boolean");
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string checkAccountId(const std::string& value) {
  bool ok = value.size() == 12 &&
            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (ok) return "";
  return "expected a 12-digit AWS account ID, got " + jsonQuote(value);
}

std::string checkOptionalAccountId(const std::string& value) {
  return value.empty() ? "" : checkAccountId(value);
}

std::string checkIamPath(const std::string& value) {
  if (value.empty() || value.front() != '/' || value.back() != '/') {
    return "an IAM path must start and end with '/', got " + jsonQuote(value);
  }
  // IAM's own limit; a longer path would only fail later, at mint time, far from the config.
  if (value.size() > 512) return "an IAM path is at most 512 characters";
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) {
      return "an IAM path may only contain printable ASCII without spaces, got " + jsonQuote(value);
    }
  }
  return "";
}

namespace {

// The characters IAM allows in a user name; generated names are built from these words and the
// pattern's literal text, so anything else would only fail later, when a token is minted.
bool isIamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("+=,.@_-").find(c) != std::string_view::npos;
}

}  // namespace

std::string checkIamNameWord(const std::string& value) {
  if (value.empty() || value.size() > 64) return "a name word must be 1 to 64 characters";
  for (char c : value) {
    if (!isIamNameChar(c)) {
      return "character " + jsonQuote(std::string(1, c)) + " in " + jsonQuote(value) +
             " is not allowed in IAM user names (letters, digits and +=,.@_-)";
    }
  }
  return "";
}

std::string checkNamingPattern(const std::string& value) {
  static const std::vector<std::string_view> kPlaceholders = {"service", "env", "team", "first",
                                                              "last",    "f",   "n"};
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] == '}') return "unmatched '}' in naming pattern " + jsonQuote(value);
    if (value[i] != '{') {
      if (!isIamNameChar(value[i])) {
        return "character " + jsonQuote(std::string(1, value[i])) +
               " in naming pattern is not allowed in IAM user names (letters, digits and "
               "+=,.@_-)";
      }
      ++i;
      continue;
    }
    size_t close = value.find('}', i + 1);
    if (close == std::string::npos) return "unmatched '{' in naming pattern " + jsonQuote(value);
    std::string_view name = std::string_view(value).substr(i + 1, close - i - 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end()) {
      return "unknown placeholder {" + std::string(name) +
             "} in naming pattern (known: {service} {env} {team} {first} {last} {f} {n})";
    }
    i = close + 1;
  }
  return "";
}

}  // namespace detail

namespace {

std::string checkNonEmpty(const std::string& value) {
  return value.empty() ? "must not be empty" : "";
}

// Empty means "do not look in the environment"; otherwise it must be something getenv can find.
std::string checkEnvVarName(const std::string& value) {
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    bool ok = c == '_' || std::isalpha(c) || (i > 0 && std::isdigit(c));
    if (!ok) return "expected an environment variable name, got " + jsonQuote(value);
  }
  return "";
}

// Loose on purpose (aa-word-...-N): new regions appear every year and must not need a release.
std::string checkRegion(const std::string& value) {
  std::vector<std::string> parts = split(value, '-');
  bool ok = parts.size() >= 3 && parts.front().size() == 2;
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    const std::string& p = parts[i];
    bool last = i + 1 == parts.size();
    ok = !p.empty() && std::all_of(p.begin(), p.end(), [last](char c) {
      return last ? (c >= '0' && c <= '9') : (c >= 'a' && c <= 'z');
    });
  }
  if (ok) return "";
  return "expected an AWS region such as \"us-east-1\", got " + jsonQuote(value);
}

std::string checkOptionalRegion(const std::string& value) {
  return value.empty() ? "" : checkRegion(value);
}

std::string checkOptionalUrl(const std::string& value) {
  if (value.empty() || startsWith(value, "http://") || startsWith(value, "https://")) return "";
  return "expected an http:// or https:// URL, got " + jsonQuote(value);
}

std::string checkOptionalRoleArn(const std::string& value) {
  if (value.empty()) return "";
  std::vector<std::string> parts = split(value, ':');
  bool ok = parts.size() == 6 && parts[0] == "arn" && startsWith(parts[1], "aws") &&
            parts[2] == "iam" && parts[4].size() == 12 && startsWith(parts[5], "role/");
  return ok ? ""
            : "expected a role ARN (arn:aws:iam::123456789012:role/NAME), got " + jsonQuote(value);
}

// IAM policy names: 1-128 of [A-Za-z0-9+=,.@_-].
std::string checkPolicyName(const std::string& value) {
  bool ok =
      !value.empty() && value.size() <= 128 && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("+=,.@_-").find(c) != std::string_view::npos;
      });
  return ok ? ""
            : "expected an IAM policy name (1-128 of A-Z a-z 0-9 + = , . @ _ -), got " +
                  jsonQuote(value);
}

// Every field is spelled out: -Wmissing-field-initializers would flag a partial aggregate.
KeySpec stringKey(std::string_view path, StringField field, ItemCheck check = nullptr) {
  return KeySpec{path, ValueKind::kString, field, 0, 0, {}, {}, check};
}

KeySpec intKey(std::string_view path, IntField field, int min_value, int max_value) {
  return KeySpec{path, ValueKind::kInt, field, min_value, max_value, {}, {}, nullptr};
}

KeySpec boolKey(std::string_view path, BoolField field) {
  return KeySpec{path, ValueKind::kBool, field, 0, 0, {}, {}, nullptr};
}

// host:port, with a port of 0-65535 (0 = any free port).
std::string checkListen(const std::string& value) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return "expected host:port such as \"127.0.0.1:8787\", got " + jsonQuote(value);
  }
  Result<int> port = detail::parseInt(std::string_view(value).substr(colon + 1));
  if (!port.hasValue() || *port < 0 || *port > 65535) {
    return "the port must be a number from 0 to 65535, got " + jsonQuote(value);
  }
  return "";
}

// S3 bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
std::string checkOptionalBucket(const std::string& value) {
  if (value.empty()) return "";
  bool ok = value.size() >= 3 && value.size() <= 63 &&
            std::isalnum(static_cast<unsigned char>(value.front())) &&
            std::isalnum(static_cast<unsigned char>(value.back())) &&
            std::all_of(value.begin(), value.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            });
  return ok ? "" : "expected an S3 bucket name (3-63 of a-z 0-9 . -), got " + jsonQuote(value);
}

std::string checkTopicArn(const std::string& value) {
  std::vector<std::string> parts = split(value, ':');
  bool ok = parts.size() == 6 && parts[0] == "arn" && startsWith(parts[1], "aws") &&
            parts[2] == "sns" && !parts[3].empty() && parts[4].size() == 12 && !parts[5].empty();
  return ok ? ""
            : "expected an SNS topic ARN (arn:aws:sns:REGION:123456789012:NAME), got " +
                  jsonQuote(value);
}

std::string checkHeaderName(const std::string& value) {
  bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  return ok ? "" : "expected an HTTP header name, got " + jsonQuote(value);
}

std::string checkOutputUrl(const std::string& value) {
  static const char* kSchemes[] = {"http://", "https://", "smtp://", "smtps://",
                                   "udp://",  "tcp://",   "unix://"};
  if (value.empty()) return "";
  for (const char* scheme : kSchemes) {
    if (startsWith(value, scheme) && value.size() > std::string_view(scheme).size()) return "";
  }
  return "expected a URL (http, https, smtp, smtps, udp, tcp or unix), got " + jsonQuote(value);
}

// A bare address "alerts@example.com" (display names would invite header injection).
std::string checkOptionalMailbox(const std::string& value) {
  if (value.empty()) return "";
  size_t at = value.find('@');
  bool ok = at != std::string::npos && at > 0 && at + 1 < value.size() &&
            value.find('@', at + 1) == std::string::npos &&
            std::none_of(value.begin(), value.end(), [](char c) {
              return static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == ',' ||
                     c == '"' || c == 0x7f;
            });
  return ok ? ""
            : "expected an email address such as \"secops@example.com\", got " + jsonQuote(value);
}

// "key=glob" with a non-empty key.
std::string checkFieldGlob(const std::string& value) {
  size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) {
    return "expected key=value (the value may use *), got " + jsonQuote(value);
  }
  return "";
}

std::string checkPlacementGlob(const std::string& value) {
  std::string why = checkFieldGlob(value);
  if (!why.empty()) return why;
  std::string field = value.substr(0, value.find('='));
  static const std::vector<std::string> kFields = {"host", "location", "kind", "owner"};
  if (std::find(kFields.begin(), kFields.end(), field) != kFields.end()) return "";
  if (startsWith(field, "tag.") && field.size() > 4) return "";
  return "unknown placement field " + jsonQuote(field) +
         " (known: host, location, kind, owner, tag.NAME)";
}

std::string checkTriggerClass(const std::string& value) {
  static const std::vector<std::string> kClasses = {"used", "session-used", "touched", "exposed"};
  if (std::find(kClasses.begin(), kClasses.end(), value) != kClasses.end()) return "";
  return "expected a trigger class (used, session-used, touched, exposed), got " + jsonQuote(value);
}

std::string checkAnnouncementKind(const std::string& value) {
  if (value == "new" || value == "escalation") return "";
  return "expected new or escalation, got " + jsonQuote(value);
}

std::string checkIpOrCidr(const std::string& value) {
  std::string address = value;
  size_t slash = value.find('/');
  int max_bits = value.find(':') != std::string::npos ? 128 : 32;
  if (slash != std::string::npos) {
    address = value.substr(0, slash);
    Result<int> bits = detail::parseInt(std::string_view(value).substr(slash + 1));
    if (!bits.hasValue() || *bits < 0 || *bits > max_bits) {
      return "the prefix length of " + jsonQuote(value) + " must be 0 to " +
             std::to_string(max_bits);
    }
  }
  unsigned char buf[16];
  int family = max_bits == 128 ? AF_INET6 : AF_INET;
  if (::inet_pton(family, address.c_str(), buf) == 1) return "";
  return "expected an IP address or CIDR block such as \"203.0.113.0/24\", got " + jsonQuote(value);
}

// "2027-01-31T00:00:00Z", "2027-01-31" (midnight UTC) or with an explicit offset.
std::string checkOptionalUtcTime(const std::string& value) {
  if (value.empty()) return "";
  if (parseTime(value).has_value()) return "";
  return "expected a UTC time such as \"2027-01-31T00:00:00Z\", got " + jsonQuote(value);
}

KeySpec enumKey(std::string_view path, StringField field, std::vector<std::string_view> allowed,
                std::vector<std::string_view> unsupported = {}) {
  return KeySpec{path,   ValueKind::kEnum, field, 0, 0, std::move(allowed), std::move(unsupported),
                 nullptr};
}

// An enum-class field: the allowed values are exactly the enum's names, in its order.
template <typename E, size_t N>
KeySpec typedEnumKey(std::string_view path, TypedEnumField field, const E (&all)[N],
                     const char* (*name)(E)) {
  std::vector<std::string_view> allowed;
  for (E v : all) allowed.push_back(name(v));
  return KeySpec{path, ValueKind::kEnum, field, 0, 0, std::move(allowed), {}, nullptr};
}

template <typename E>
bool assignParsed(E& field, std::optional<E> parsed) {
  if (parsed) field = *parsed;
  return parsed.has_value();
}

constexpr Severity kSeverities[] = {Severity::kInfo, Severity::kLow, Severity::kMedium,
                                    Severity::kHigh, Severity::kCritical};
constexpr ActionType kActionTypes[] = {ActionType::kCommand, ActionType::kWebhook};
constexpr ActionMode kActionModes[] = {ActionMode::kDryRun, ActionMode::kApproval,
                                       ActionMode::kAuto};

KeySpec listKey(std::string_view path, StringListField field, ItemCheck check = nullptr) {
  return KeySpec{path, ValueKind::kStringList, field, 0, 0, {}, {}, check};
}

std::vector<KeySpec> buildSchema() {
  // clang-format off
  return {
    stringKey("data_dir", [](Config& c, size_t) -> std::string& { return c.data_dir; }),

    enumKey("log.level", [](Config& c, size_t) -> std::string& { return c.log.level; },
            {"debug", "info", "warn", "error"}),
    enumKey("log.format", [](Config& c, size_t) -> std::string& { return c.log.format; },
            {"plain", "json"}),

    enumKey("storage.backend", [](Config& c, size_t) -> std::string& { return c.storage.backend; },
            {"sqlite"}, {"postgres"}),
    stringKey("storage.sqlite.path",
              [](Config& c, size_t) -> std::string& { return c.storage.sqlite.path; }, checkNonEmpty),
    intKey("storage.sqlite.busy_timeout_ms",
           [](Config& c, size_t) -> int& { return c.storage.sqlite.busy_timeout_ms; }, 0, 600000),

    stringKey("secrets.master_key_env",
              [](Config& c, size_t) -> std::string& { return c.secrets.master_key_env; }, checkEnvVarName),
    stringKey("secrets.master_key_file",
              [](Config& c, size_t) -> std::string& { return c.secrets.master_key_file; }),

    enumKey("tokens.default_backend",
            [](Config& c, size_t) -> std::string& { return c.tokens.default_backend; },
            {"synthetic", "aws", "import"}),
    stringKey("tokens.synthetic_account_id",
              [](Config& c, size_t) -> std::string& { return c.tokens.synthetic_account_id; },
              detail::checkOptionalAccountId),
    enumKey("tokens.naming.style", [](Config& c, size_t) -> std::string& { return c.tokens.naming.style; },
            {"service", "person", "mixed"}),
    stringKey("tokens.naming.pattern",
              [](Config& c, size_t) -> std::string& { return c.tokens.naming.pattern; },
              detail::checkNamingPattern),
    listKey("tokens.naming.services",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.services; },
            detail::checkIamNameWord),
    listKey("tokens.naming.envs",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.envs; },
            detail::checkIamNameWord),
    listKey("tokens.naming.teams",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.teams; },
            detail::checkIamNameWord),
    listKey("tokens.naming.first_names",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.first_names; },
            detail::checkIamNameWord),
    listKey("tokens.naming.last_names",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.last_names; },
            detail::checkIamNameWord),
    listKey("tokens.naming.paths",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.tokens.naming.paths; },
            detail::checkIamPath),

    listKey("audit.real_account_ids",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.audit.real_account_ids; },
            detail::checkAccountId),
    listKey("audit.canary_account_files",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.audit.canary_account_files; },
            checkNonEmpty),
    intKey("audit.max_key_age_days",
           [](Config& c, size_t) -> int& { return c.audit.max_key_age_days; }, 1, 3650),
    intKey("audit.shared_account_threshold",
           [](Config& c, size_t) -> int& { return c.audit.shared_account_threshold; }, 2, 1000000),

    stringKey("render.default_region",
              [](Config& c, size_t) -> std::string& { return c.render.default_region; }, checkRegion),
    stringKey("render.default_profile",
              [](Config& c, size_t) -> std::string& { return c.render.default_profile; }, checkNonEmpty),

    stringKey("aws.profile", [](Config& c, size_t) -> std::string& { return c.aws.profile; }),
    stringKey("aws.region", [](Config& c, size_t) -> std::string& { return c.aws.region; },
              checkOptionalRegion),
    stringKey("aws.role_arn", [](Config& c, size_t) -> std::string& { return c.aws.role_arn; },
              checkOptionalRoleArn),
    stringKey("aws.external_id", [](Config& c, size_t) -> std::string& { return c.aws.external_id; }),
    stringKey("aws.endpoint_url", [](Config& c, size_t) -> std::string& { return c.aws.endpoint_url; },
              checkOptionalUrl),
    stringKey("aws.iam_endpoint_url",
              [](Config& c, size_t) -> std::string& { return c.aws.iam_endpoint_url; }, checkOptionalUrl),
    stringKey("aws.sts_endpoint_url",
              [](Config& c, size_t) -> std::string& { return c.aws.sts_endpoint_url; }, checkOptionalUrl),
    stringKey("aws.s3_endpoint_url",
              [](Config& c, size_t) -> std::string& { return c.aws.s3_endpoint_url; }, checkOptionalUrl),
    stringKey("aws.deny_policy_name",
              [](Config& c, size_t) -> std::string& { return c.aws.deny_policy_name; }, checkPolicyName),
    intKey("aws.max_attempts", [](Config& c, size_t) -> int& { return c.aws.max_attempts; }, 1, 20),
    intKey("aws.request_timeout_ms",
           [](Config& c, size_t) -> int& { return c.aws.request_timeout_ms; }, 100, 600000),
    intKey("aws.last_used_poll_seconds",
           [](Config& c, size_t) -> int& { return c.aws.last_used_poll_seconds; }, 10, 86400),
    stringKey("aws.sqs_endpoint_url",
              [](Config& c, size_t) -> std::string& { return c.aws.sqs_endpoint_url; }, checkOptionalUrl),

    stringKey("enrich.geoip_db", [](Config& c, size_t) -> std::string& { return c.enrich.geoip_db; }),
    stringKey("enrich.asn_db", [](Config& c, size_t) -> std::string& { return c.enrich.asn_db; }),
    stringKey("enrich.tor_exit_list",
              [](Config& c, size_t) -> std::string& { return c.enrich.tor_exit_list; }),

    boolKey("sources.s3.enabled", [](Config& c, size_t) -> bool& { return c.sources.s3.enabled; }),
    stringKey("sources.s3.bucket", [](Config& c, size_t) -> std::string& { return c.sources.s3.bucket; },
              checkOptionalBucket),
    listKey("sources.s3.prefixes",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.sources.s3.prefixes; }),
    intKey("sources.s3.poll_seconds", [](Config& c, size_t) -> int& { return c.sources.s3.poll_seconds; },
           1, 86400),
    intKey("sources.s3.lookback_minutes",
           [](Config& c, size_t) -> int& { return c.sources.s3.lookback_minutes; }, 0, 10080),
    intKey("sources.s3.initial_lookback_minutes",
           [](Config& c, size_t) -> int& { return c.sources.s3.initial_lookback_minutes; }, 0, 525600),

    boolKey("sources.sqs.enabled", [](Config& c, size_t) -> bool& { return c.sources.sqs.enabled; }),
    stringKey("sources.sqs.queue_url",
              [](Config& c, size_t) -> std::string& { return c.sources.sqs.queue_url; }, checkOptionalUrl),
    intKey("sources.sqs.wait_seconds", [](Config& c, size_t) -> int& { return c.sources.sqs.wait_seconds; },
           0, 20),
    intKey("sources.sqs.max_messages", [](Config& c, size_t) -> int& { return c.sources.sqs.max_messages; },
           1, 10),
    intKey("sources.sqs.visibility_timeout_seconds",
           [](Config& c, size_t) -> int& { return c.sources.sqs.visibility_timeout_seconds; }, 10, 43200),

    boolKey("sources.push.enabled", [](Config& c, size_t) -> bool& { return c.sources.push.enabled; }),
    stringKey("sources.push.listen", [](Config& c, size_t) -> std::string& { return c.sources.push.listen; },
              checkListen),
    stringKey("sources.push.eventbridge_api_key_header",
              [](Config& c, size_t) -> std::string& { return c.sources.push.eventbridge_api_key_header; },
              checkHeaderName),
    stringKey("sources.push.eventbridge_api_key_env",
              [](Config& c, size_t) -> std::string& { return c.sources.push.eventbridge_api_key_env; },
              checkEnvVarName),
    stringKey("sources.push.eventbridge_basic_user",
              [](Config& c, size_t) -> std::string& { return c.sources.push.eventbridge_basic_user; }),
    stringKey("sources.push.eventbridge_basic_password_env",
              [](Config& c, size_t) -> std::string& {
                return c.sources.push.eventbridge_basic_password_env;
              },
              checkEnvVarName),
    listKey("sources.push.sns_topic_arns",
            [](Config& c, size_t) -> std::vector<std::string>& { return c.sources.push.sns_topic_arns; },
            checkTopicArn),
    stringKey("sources.push.sns_cert_dir",
              [](Config& c, size_t) -> std::string& { return c.sources.push.sns_cert_dir; }),
    boolKey("sources.push.sns_fetch_certs",
            [](Config& c, size_t) -> bool& { return c.sources.push.sns_fetch_certs; }),
    boolKey("sources.push.sns_confirm_subscriptions",
            [](Config& c, size_t) -> bool& { return c.sources.push.sns_confirm_subscriptions; }),
    intKey("sources.push.max_body_bytes",
           [](Config& c, size_t) -> int& { return c.sources.push.max_body_bytes; }, 1024, 67108864),
    intKey("sources.push.read_timeout_ms",
           [](Config& c, size_t) -> int& { return c.sources.push.read_timeout_ms; }, 100, 600000),

    boolKey("sources.last_used", [](Config& c, size_t) -> bool& { return c.sources.last_used; }),
    intKey("sources.blind_after_minutes",
           [](Config& c, size_t) -> int& { return c.sources.blind_after_minutes; }, 1, 525600),

    intKey("alerts.incident_window_minutes",
           [](Config& c, size_t) -> int& { return c.alerts.incident_window_minutes; }, 1, 10080),

    stringKey("alerts.ui_base_url",
              [](Config& c, size_t) -> std::string& { return c.alerts.ui_base_url; },
              checkOptionalUrl),
    intKey("alerts.retry_first_seconds",
           [](Config& c, size_t) -> int& { return c.alerts.retry_first_seconds; }, 1, 3600),
    intKey("alerts.retry_max_seconds",
           [](Config& c, size_t) -> int& { return c.alerts.retry_max_seconds; }, 1, 86400),
    intKey("alerts.retry_max_age_hours",
           [](Config& c, size_t) -> int& { return c.alerts.retry_max_age_hours; }, 1, 720),
    intKey("alerts.ingest_wait_seconds",
           [](Config& c, size_t) -> int& { return c.alerts.ingest_wait_seconds; }, 0, 3600),

    boolKey("alerts.outputs.*.enabled",
            [](Config& c, size_t i) -> bool& { return c.alerts.outputs[i].enabled; }),
    enumKey("alerts.outputs.*.type",
            [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].type; },
            {"webhook", "slack", "teams", "pagerduty", "jira", "email", "syslog", "file"}),
    stringKey("alerts.outputs.*.url",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].url; },
              checkOutputUrl),
    stringKey("alerts.outputs.*.url_env",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].url_env; },
              checkEnvVarName),
    stringKey("alerts.outputs.*.secret_env",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].secret_env; },
              checkEnvVarName),
    stringKey("alerts.outputs.*.username",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].username; }),
    boolKey("alerts.outputs.*.allow_private",
            [](Config& c, size_t i) -> bool& { return c.alerts.outputs[i].allow_private; }),
    stringKey("alerts.outputs.*.ca_file",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].ca_file; }),
    intKey("alerts.outputs.*.timeout_ms",
           [](Config& c, size_t i) -> int& { return c.alerts.outputs[i].timeout_ms; }, 100, 600000),
    stringKey("alerts.outputs.*.jira_project",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].jira_project; }),
    stringKey("alerts.outputs.*.jira_issue_type",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].jira_issue_type; },
              checkNonEmpty),
    stringKey("alerts.outputs.*.email_from",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].email_from; },
              checkOptionalMailbox),
    listKey("alerts.outputs.*.email_to",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.outputs[i].email_to; },
            checkOptionalMailbox),
    stringKey("alerts.outputs.*.path",
              [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].path; }),

    boolKey("alerts.routes.*.enabled",
            [](Config& c, size_t i) -> bool& { return c.alerts.routes[i].enabled; }),
    listKey("alerts.routes.*.outputs",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.routes[i].outputs; },
            checkNonEmpty),
    listKey("alerts.routes.*.match_tags",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.routes[i].match_tags; },
            checkFieldGlob),
    listKey("alerts.routes.*.match_placement",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.routes[i].match_placement; },
            checkPlacementGlob),
    listKey("alerts.routes.*.match_classes",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.routes[i].match_classes; },
            checkTriggerClass),
    typedEnumKey("alerts.routes.*.min_severity",
                 TypedEnumField{
                     [](const Config& c, size_t i) -> std::string {
                       return severityName(c.alerts.routes[i].min_severity);
                     },
                     [](Config& c, size_t i, std::string_view text) {
                       return assignParsed(c.alerts.routes[i].min_severity,
                                           parseSeverity(text));
                     }},
                 kSeverities, severityName),
    intKey("alerts.routes.*.throttle_max",
           [](Config& c, size_t i) -> int& { return c.alerts.routes[i].throttle_max; }, 0, 100000),
    intKey("alerts.routes.*.throttle_minutes",
           [](Config& c, size_t i) -> int& { return c.alerts.routes[i].throttle_minutes; }, 1, 10080),
    listKey("alerts.routes.*.actions",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.routes[i].actions; },
            checkNonEmpty),

    listKey("alerts.quiet.*.source_ips",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.quiet[i].source_ips; },
            checkIpOrCidr),
    listKey("alerts.quiet.*.user_agents",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.quiet[i].user_agents; },
            checkNonEmpty),
    listKey("alerts.quiet.*.tokens",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.quiet[i].tokens; },
            checkNonEmpty),
    listKey("alerts.quiet.*.routes",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.quiet[i].routes; },
            checkNonEmpty),
    stringKey("alerts.quiet.*.expires",
              [](Config& c, size_t i) -> std::string& { return c.alerts.quiet[i].expires; },
              checkOptionalUtcTime),
    stringKey("alerts.quiet.*.reason",
              [](Config& c, size_t i) -> std::string& { return c.alerts.quiet[i].reason; }),

    typedEnumKey("alerts.actions.*.type",
                 TypedEnumField{
                     [](const Config& c, size_t i) -> std::string {
                       const auto& type = c.alerts.actions[i].type;
                       return type ? actionTypeName(*type) : "";
                     },
                     [](Config& c, size_t i, std::string_view text) {
                       std::optional<ActionType> parsed = parseActionType(text);
                       if (parsed) c.alerts.actions[i].type = parsed;
                       return parsed.has_value();
                     }},
                 kActionTypes, actionTypeName),
    listKey("alerts.actions.*.command",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.actions[i].command; }),
    stringKey("alerts.actions.*.url",
              [](Config& c, size_t i) -> std::string& { return c.alerts.actions[i].url; },
              checkOptionalUrl),
    stringKey("alerts.actions.*.secret_env",
              [](Config& c, size_t i) -> std::string& { return c.alerts.actions[i].secret_env; },
              checkEnvVarName),
    boolKey("alerts.actions.*.allow_private",
            [](Config& c, size_t i) -> bool& { return c.alerts.actions[i].allow_private; }),
    typedEnumKey("alerts.actions.*.mode",
                 TypedEnumField{
                     [](const Config& c, size_t i) -> std::string {
                       return actionModeName(c.alerts.actions[i].mode);
                     },
                     [](Config& c, size_t i, std::string_view text) {
                       return assignParsed(c.alerts.actions[i].mode, parseActionMode(text));
                     }},
                 kActionModes, actionModeName),
    intKey("alerts.actions.*.timeout_seconds",
           [](Config& c, size_t i) -> int& { return c.alerts.actions[i].timeout_seconds; }, 1, 3600),
    listKey("alerts.actions.*.on",
            [](Config& c, size_t i) -> std::vector<std::string>& { return c.alerts.actions[i].on; },
            checkAnnouncementKind),

    stringKey("alerts.runbooks.*.markdown",
              [](Config& c, size_t i) -> std::string& { return c.alerts.runbooks[i].markdown; }),
    stringKey("alerts.runbooks.*.file",
              [](Config& c, size_t i) -> std::string& { return c.alerts.runbooks[i].file; }),

    intKey("serve.shutdown_timeout_seconds",
           [](Config& c, size_t) -> int& { return c.serve.shutdown_timeout_seconds; }, 1, 3600),
  };
  // clang-format on
}

std::vector<CollectionSpec> buildCollections() {
  return {
      {"alerts.outputs", "output", [](const Config& c) { return c.alerts.outputs.size(); },
       [](Config& c, size_t i) -> std::string& { return c.alerts.outputs[i].name; },
       [](Config& c) {
         c.alerts.outputs.emplace_back();
         return c.alerts.outputs.size() - 1;
       }},
      {"alerts.routes", "route", [](const Config& c) { return c.alerts.routes.size(); },
       [](Config& c, size_t i) -> std::string& { return c.alerts.routes[i].name; },
       [](Config& c) {
         c.alerts.routes.emplace_back();
         return c.alerts.routes.size() - 1;
       }},
      {"alerts.quiet", "quiet rule", [](const Config& c) { return c.alerts.quiet.size(); },
       [](Config& c, size_t i) -> std::string& { return c.alerts.quiet[i].name; },
       [](Config& c) {
         c.alerts.quiet.emplace_back();
         return c.alerts.quiet.size() - 1;
       }},
      {"alerts.actions", "action", [](const Config& c) { return c.alerts.actions.size(); },
       [](Config& c, size_t i) -> std::string& { return c.alerts.actions[i].name; },
       [](Config& c) {
         c.alerts.actions.emplace_back();
         return c.alerts.actions.size() - 1;
       }},
      {"alerts.runbooks", "runbook", [](const Config& c) { return c.alerts.runbooks.size(); },
       [](Config& c, size_t i) -> std::string& { return c.alerts.runbooks[i].name; },
       [](Config& c) {
         c.alerts.runbooks.emplace_back();
         return c.alerts.runbooks.size() - 1;
       }},
  };
}

// Every section and key path in schema order, each section just before its first key.
std::vector<std::string> buildOrderedPaths() {
  std::vector<std::string> out;
  for (const KeySpec& spec : configSchema()) {
    std::string_view path = spec.path;
    for (size_t dot = path.find('.'); dot != std::string_view::npos;
         dot = path.find('.', dot + 1)) {
      std::string section(path.substr(0, dot));
      if (std::find(out.begin(), out.end(), section) == out.end()) out.push_back(section);
    }
    out.emplace_back(path);
  }
  return out;
}

std::vector<std::string> buildSections() {
  std::vector<std::string> out;
  for (const std::string& path : configPathsInOrder()) {
    if (findKey(path) == nullptr) out.push_back(path);
  }
  return out;
}

// Reading never writes; the accessors take a mutable Config only so that one table serves both.
Config& asMutable(const Config& config) { return const_cast<Config&>(config); }

}  // namespace

const std::vector<KeySpec>& configSchema() {
  static const std::vector<KeySpec> kSchema = buildSchema();
  return kSchema;
}

const std::vector<std::string>& configPathsInOrder() {
  static const std::vector<std::string> kPaths = buildOrderedPaths();
  return kPaths;
}

const std::vector<std::string>& configSections() {
  static const std::vector<std::string> kSections = buildSections();
  return kSections;
}

const std::vector<CollectionSpec>& configCollections() {
  static const std::vector<CollectionSpec> kCollections = buildCollections();
  return kCollections;
}

const CollectionSpec* findCollection(std::string_view path) {
  for (const CollectionSpec& c : configCollections()) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

const CollectionSpec* collectionOf(const KeySpec& spec) {
  size_t star = spec.path.find(".*.");
  if (star == std::string_view::npos) return nullptr;
  return findCollection(spec.path.substr(0, star));
}

std::string entryPath(std::string_view schema_path, std::string_view entry_name) {
  std::string out(schema_path);
  size_t star = out.find(".*.");
  if (star != std::string::npos) out.replace(star + 1, 1, entry_name);
  return out;
}

const KeySpec* findKey(std::string_view path) {
  for (const KeySpec& spec : configSchema()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool isSection(std::string_view path) {
  const auto& sections = configSections();
  return std::find(sections.begin(), sections.end(), path) != sections.end();
}

std::string readScalar(const KeySpec& spec, const Config& config, size_t item) {
  Config& c = asMutable(config);
  switch (spec.kind) {
    case ValueKind::kString:
    case ValueKind::kEnum:
      if (const auto* typed = std::get_if<TypedEnumField>(&spec.field)) {
        return typed->read(config, item);
      }
      return std::get<StringField>(spec.field)(c, item);
    case ValueKind::kInt:
      return std::to_string(std::get<IntField>(spec.field)(c, item));
    case ValueKind::kBool:
      return std::get<BoolField>(spec.field)(c, item) ? "true" : "false";
    case ValueKind::kStringList:
      break;
  }
  return "";
}

std::vector<std::string> readList(const KeySpec& spec, const Config& config, size_t item) {
  if (spec.kind != ValueKind::kStringList) return {};
  return std::get<StringListField>(spec.field)(asMutable(config), item);
}

}  // namespace ht::config
