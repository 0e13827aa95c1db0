#include "alert/dispatcher.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <utility>

#include "core/strings.h"

namespace ht::alert {
namespace {

struct UrlParts {
  std::string scheme;
  std::string host;       // without brackets for IPv6 literals
  std::string authority;  // host[:port], without user-info (as written, brackets kept)
  std::string path;       // from the first '/' on, query included
};

UrlParts parseUrl(const std::string& url) {
  UrlParts p;
  size_t start = url.find("://");
  if (start != std::string::npos) {
    p.scheme = toLower(url.substr(0, start));
    start += 3;
  } else {
    start = 0;
  }
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (end != std::string::npos) p.path = url.substr(end);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  p.authority = authority;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    p.host = authority.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else {
    size_t colon = authority.rfind(':');
    p.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  }
  return p;
}

// What error text may show of a URL: webhook paths and queries often are the credential.
std::string redactedUrl(const std::string& url) {
  UrlParts p = parseUrl(url);
  return (p.scheme.empty() ? "" : p.scheme + "://") + p.authority + "/…";
}

std::string redactMessage(std::string text, const std::string& url) {
  UrlParts p = parseUrl(url);
  std::string safe = redactedUrl(url);
  size_t cut = url.find_first_of("?#");
  std::vector<std::string> secrets = {url, url.substr(0, cut)};
  if (p.path.size() > 1) secrets.push_back(p.path);
  size_t qpos = url.find('?');
  if (qpos != std::string::npos && qpos + 1 < url.size()) secrets.push_back(url.substr(qpos + 1));
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) {
      const std::string& with = (&s == &secrets[0] || &s == &secrets[1]) ? safe : "…";
      text.replace(pos, s.size(), with);
      pos += with.size();
    }
  }
  return text;
}

std::string hexHmacSha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xF]);
  }
  return out;
}

std::optional<std::chrono::seconds> parseRetryAfter(const std::string* value) {
  if (value == nullptr) return std::nullopt;
  std::string v = trim(*value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stoll(v));
  }
  // An HTTP-date: not worth a date parser for a hint; a minute is a fair reading.
  return std::chrono::seconds(60);
}

std::string reasonForV4(const uint8_t b[4]) {
  if (b[0] == 127) return "loopback address";
  if (b[0] == 10) return "private address (10.0.0.0/8)";
  if (b[0] == 172 && (b[1] & 0xF0) == 16) return "private address (172.16.0.0/12)";
  if (b[0] == 192 && b[1] == 168) return "private address (192.168.0.0/16)";
  if (b[0] == 169 && b[1] == 254) return "link-local address";
  if (b[0] == 100 && (b[1] & 0xC0) == 64) return "shared address space (100.64.0.0/10)";
  if (b[0] == 0) return "unspecified address (0.0.0.0/8)";
  return "";
}

std::string reasonForV6(const uint8_t b[16]) {
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 16) == 0) return "unspecified address (::)";
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return "loopback address (::1)";
  if ((b[0] & 0xFE) == 0xFC) return "unique-local address (fc00::/7)";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local address (fe80::/10)";
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) {
    std::string r = reasonForV4(b + 12);
    if (!r.empty()) return "IPv4-mapped " + r;
  }
  return "";
}

struct HostCheck {
  std::string reason;         // "" = public
  std::string resolve_error;  // "" = resolved (or a literal)
};

HostCheck checkHost(const std::string& host_in) {
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return {"empty host", ""};
  std::string lower = toLower(host);
  if (lower == "localhost" || endsWith(lower, ".localhost")) return {"loopback name", ""};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return {"", gai_strerror(rc)};
  HostCheck out;
  for (addrinfo* a = res; a != nullptr && out.reason.empty(); a = a->ai_next) {
    std::string r;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      r = reasonForV4(reinterpret_cast<const uint8_t*>(&sin->sin_addr));
      ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    } else if (a->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      r = reasonForV6(reinterpret_cast<const uint8_t*>(&sin6->sin6_addr));
      ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    }
    if (!r.empty()) {
      out.reason = (toLower(text) == lower) ? r : r + " " + text;
    }
  }
  ::freeaddrinfo(res);
  return out;
}

class WebhookOutput final : public Output {
 public:
  WebhookOutput(WebhookOptions options, aws::HttpTransport& transport)
      : options_(std::move(options)), transport_(transport) {}

  DeliveryResult deliver(const store::OutboxItem& item) override {
    DeliveryResult result;
    if (!options_.allow_private) {
      // Checked on each attempt: what a name resolves to can change. Curl resolves again, so a
      // rebinding race remains; the transport seam has no way to pin the checked address.
      HostCheck check = checkHost(parseUrl(options_.url).host);
      if (!check.reason.empty()) {
        result.retryable = false;
        result.error = "refusing to send to " + redactedUrl(options_.url) + ": " + check.reason +
                       " (set allow_private to permit it)";
        return result;
      }
      if (!check.resolve_error.empty()) {
        result.error =
            "cannot resolve the host of " + redactedUrl(options_.url) + ": " + check.resolve_error;
        return result;
      }
    }
    aws::HttpRequest req;
    req.method = "POST";
    req.url = options_.url;
    bool has_content_type = false;
    for (const auto& [name, value] : options_.headers) {
      if (toLower(name) == "content-type") has_content_type = true;
    }
    if (!has_content_type) req.headers.push_back({"Content-Type", "application/json"});
    req.headers.push_back({"User-Agent", "honeytrail"});
    req.headers.push_back({"X-Honeytrail-Incident", item.incident_id});
    req.headers.push_back({"X-Honeytrail-Delivery", std::to_string(item.id)});
    if (!options_.hmac_secret.empty()) {
      req.headers.push_back(
          {"X-Honeytrail-Signature", "sha256=" + hexHmacSha256(options_.hmac_secret, item.body)});
    }
    for (const auto& [name, value] : options_.headers) req.headers.push_back({name, value});
    req.body = item.body;

    Result<aws::HttpResponse> resp = transport_.send(req);
    if (!resp.hasValue()) {
      result.error = redactMessage(resp.status().message(), options_.url);
      return result;
    }
    result.http_status = resp->status;
    if (resp->status >= 200 && resp->status < 300) {
      result.ok = true;
      return result;
    }
    const int s = resp->status;
    result.retryable = s == 408 || s == 429 || s >= 500;
    if (s == 429 || s == 503) result.retry_after = parseRetryAfter(resp->header("Retry-After"));
    result.error = "HTTP " + std::to_string(s) + " from " + redactedUrl(options_.url);
    return result;
  }

 private:
  WebhookOptions options_;
  aws::HttpTransport& transport_;
};

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::unique_ptr<Output> makeWebhookOutput(WebhookOptions options, aws::HttpTransport& transport) {
  return std::make_unique<WebhookOutput>(std::move(options), transport);
}

std::string privateAddressReason(const std::string& host) { return checkHost(host).reason; }

std::chrono::seconds nextDelay(const RetryPolicy& policy, int attempts,
                               std::optional<std::chrono::seconds> retry_after,
                               aws::RandomSource& random) {
  using std::chrono::seconds;
  seconds max_delay = std::max(policy.max_delay, seconds(0));
  seconds delay = std::min(std::max(policy.first_delay, seconds(0)), max_delay);
  for (int i = 1; i < attempts && delay < max_delay; ++i) delay = std::min(delay * 2, max_delay);
  int64_t hi = delay.count();
  int64_t lo = hi / 2;
  int64_t span = hi - lo + 1;
  int64_t jittered = lo;
  if (span > 1) {
    uint32_t bound = span > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(span);
    jittered = lo + random.uniform(bound);
  }
  seconds out(jittered);
  if (retry_after && *retry_after > out) out = *retry_after;
  return out;
}

Dispatcher::Dispatcher(store::Store& store, const Clock& clock, aws::RandomSource& random,
                       std::map<std::string, Output*> outputs, RetryPolicy policy)
    : store_(store),
      clock_(clock),
      random_(random),
      outputs_(std::move(outputs)),
      policy_(policy) {}

Result<DispatchReport> Dispatcher::runOnce() {
  const TimePoint now = clock_.now();
  HT_ASSIGN_OR_RETURN(std::vector<store::OutboxItem> due, store_.dueOutbox(now, 1000));
  if (due.empty()) return DispatchReport{};
  // Pending items that are not due yet still hold back later items of their incident.
  HT_ASSIGN_OR_RETURN(std::vector<store::OutboxItem> pending, store_.listOutbox("pending"));
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> pending_ids;
  for (const auto& p : pending) pending_ids[{p.output, p.incident_id}].push_back(p.id);

  DispatchReport report;
  std::mutex mu;  // guards report, first_error and random_
  Status first_error;

  std::map<std::string, std::vector<store::OutboxItem>> by_output;
  for (auto& item : due) by_output[item.output].push_back(std::move(item));

  // Response actions travel through the outbox as "action:NAME"; their entries say what ran and
  // keep its output.
  auto timelineEntry = [&](const store::OutboxItem& item, std::string text) {
    store::IncidentEvent e;
    e.incident_id = item.incident_id;
    e.at = now;
    e.kind = startsWith(item.output, "action:") ? "action" : "notified";
    e.actor = "honeytrail";
    e.text = std::move(text);
    if (!item.result.empty() || item.attempts > 0) {
      nlohmann::json details = {{"outbox_id", item.id}, {"attempts", item.attempts}};
      if (!item.result.empty()) details["output"] = item.result;
      if (!item.last_error.empty()) details["error"] = item.last_error;
      e.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return e;
  };
  auto save = [&](const store::OutboxItem& item, const std::optional<store::IncidentEvent>& e) {
    Status st = store_.recordDelivery(item, e);
    if (!st.isOk()) {
      std::lock_guard lock(mu);
      if (first_error.isOk()) {
        first_error = st.withContext("saving delivery " + std::to_string(item.id));
      }
      return false;
    }
    return true;
  };

  std::vector<std::thread> threads;
  for (auto& [name, items] : by_output) {
    auto found = outputs_.find(name);
    if (found == outputs_.end() || found->second == nullptr) {
      for (store::OutboxItem& item : items) {
        item.state = "dead";
        item.last_error = "output " + name + " is not configured";
        if (save(item, timelineEntry(item, "gave up on " + name + ": " + item.last_error))) {
          std::lock_guard lock(mu);  // threads of other outputs may be running already
          ++report.unknown_output;
          ++report.dead;
        }
      }
      continue;
    }
    Output* output = found->second;
    threads.emplace_back([&, output, output_name = name, work = &items]() {
      std::set<int64_t> settled;  // delivered in this pass
      for (store::OutboxItem& item : *work) {
        // Earlier pending items of the same incident must all have gone out in this pass.
        auto ids = pending_ids.find({output_name, item.incident_id});
        bool blocked = ids != pending_ids.end() &&
                       std::any_of(ids->second.begin(), ids->second.end(), [&](int64_t id) {
                         return id < item.id && settled.count(id) == 0;
                       });
        if (blocked) continue;
        Result<bool> claimed = store_.claimOutboxItem(item.id, now, now + policy_.lease);
        if (!claimed.hasValue()) {
          std::lock_guard lock(mu);
          if (first_error.isOk()) first_error = claimed.status();
          break;
        }
        if (!*claimed) continue;  // another process has it

        DeliveryResult r = output->deliver(item);
        ++item.attempts;
        item.result = r.output;
        const bool action = startsWith(output_name, "action:");
        if (r.ok) {
          item.state = "sent";
          item.sent_at = now;
          item.last_error.clear();
          std::string text = action ? "ran " + output_name.substr(7) + " (" + item.kind + ")"
                                    : "sent to " + output_name + " (" + item.kind + ")";
          // A short answer worth seeing at a glance ("SEC-12 created"); long output stays in
          // the entry's details.
          if (!action && !r.output.empty() && r.output.size() <= 80 &&
              r.output.find('\n') == std::string::npos) {
            text += ": " + r.output;
          }
          if (save(item, timelineEntry(item, std::move(text)))) {
            settled.insert(item.id);
            std::lock_guard lock(mu);
            ++report.delivered;
          }
          continue;
        }
        item.last_error = r.error.empty() ? "HTTP " + std::to_string(r.http_status) : r.error;
        const bool too_old = now - item.created_at > policy_.max_age;
        if (!r.retryable || too_old) {
          item.state = "dead";
          std::string text = action
                                 ? "action " + output_name.substr(7) + " failed: " + item.last_error
                                 : "gave up on " + output_name + " after " +
                                       plural(item.attempts, "attempt") + ": " + item.last_error;
          if (save(item, timelineEntry(item, std::move(text)))) {
            std::lock_guard lock(mu);
            ++report.dead;
          }
          continue;
        }
        {
          std::lock_guard lock(mu);
          item.next_attempt_at = now + nextDelay(policy_, item.attempts, r.retry_after, random_);
        }
        if (save(item, std::nullopt)) {
          std::lock_guard lock(mu);
          ++report.retried;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.isOk()) return first_error;
  return report;
}

}  // namespace ht::alert
