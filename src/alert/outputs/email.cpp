// Email output: the stored RFC 5322 message sent over SMTP with libcurl, never in clear text:
// smtp:// must upgrade with STARTTLS and smtps:// is TLS from the first byte.
#include "alert/outputs/email.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alert/net_util.h"
#include "alert/story_text.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using detail::clip;
using detail::kMaxDetailChars;
using detail::oneLine;
using detail::permanentFailure;
using detail::sanitized;
using detail::sequenceLength;
using detail::splitLines;
using detail::title;
using detail::truncateChars;
using detail::validUtf8;

constexpr size_t kEmailLineBytes = 998;  // RFC 5322 2.1.1, also the 8bit MIME limit

// Header values are single lines of printable text: CR/LF in config or attacker text would
// otherwise start a new header (Bcc: injection).
std::string headerValue(std::string_view s) { return oneLine(validUtf8(s)); }

bool isPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// RFC 2047 encoded words for a non-ASCII value, each at most 75 characters, split on character
// boundaries and folded onto continuation lines.
std::string encodedWords(std::string_view s) {
  constexpr size_t kChunkBytes = 45;  // 60 base64 characters + 12 of "=?UTF-8?B?" and "?="
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = i;
    while (end < s.size()) {
      size_t n = sequenceLength(s, end);
      if (n == 0) n = 1;
      if (end + n - i > kChunkBytes) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + detail::base64(s.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string rfc5322Date(TimePoint t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto tt = static_cast<std::time_t>(toUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// The dot-atom-text of a Message-ID (RFC 5322 3.6.4): anything else becomes '-'.
std::string msgIdPart(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
    out += atext ? c : '-';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  while (!out.empty() && out.back() == '.') out.pop_back();
  std::string collapsed;  // no ".." either
  for (char c : out) {
    if (c == '.' && !collapsed.empty() && collapsed.back() == '.') continue;
    collapsed += c;
  }
  return collapsed.empty() ? "incident" : collapsed;
}

// Lines of at most `max` bytes, split on character boundaries (8bit MIME and RFC 5322 limit).
std::string wrapLine(std::string_view line, size_t max) {
  std::string out;
  while (line.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n";
    line.remove_prefix(cut);
  }
  out.append(line);
  return out;
}

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The envelope address of "Name <a@example.com>" or "a@example.com", in the angle brackets
// MAIL FROM and RCPT TO want; nullopt when it holds control bytes (an SMTP command injection).
std::optional<std::string> envelopeAddress(const std::string& text) {
  std::string addr = trim(text);
  size_t open = addr.rfind('<');
  if (open != std::string::npos) {
    size_t close = addr.find('>', open);
    if (close == std::string::npos) return std::nullopt;
    addr = trim(addr.substr(open + 1, close - open - 1));
  }
  if (addr.empty()) return std::nullopt;
  for (char c : addr) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>') {
      return std::nullopt;
    }
  }
  return "<" + addr + ">";
}

struct Upload {
  const std::string* data = nullptr;
  size_t pos = 0;
};

size_t onRead(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

// What the server said, gathered from libcurl's debug stream. Only the server's replies are
// read; the commands honeytrail sends (AUTH carries the password) are never looked at or kept.
struct ServerReplies {
  bool starttls_offered = false;
  std::string last_error;  // the last 4xx or 5xx reply line: the reason, not QUIT's "221 Bye"
  std::string partial;     // a line still being received
};

void onServerLine(ServerReplies& r, const std::string& line) {
  if (!line.empty() && (line[0] == '4' || line[0] == '5')) r.last_error = line;
  // An EHLO reply lists extensions as "250-STARTTLS" or, last, "250 STARTTLS".
  std::string lower = toLower(trim(line));
  if (lower.size() >= 12 && startsWith(lower, "250") && (lower[3] == '-' || lower[3] == ' ') &&
      trim(lower.substr(4)) == "starttls") {
    r.starttls_offered = true;
  }
}

int onDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* r = static_cast<ServerReplies*>(user);
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    if (c == '\n') {
      onServerLine(*r, r->partial);
      r->partial.clear();
    } else if (c != '\r' && r->partial.size() < 1024) {
      r->partial.push_back(c);
    }
  }
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class EmailOutput final : public AlertOutput {
 public:
  EmailOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : url_(std::move(credentials.url)),
        server_(detail::parseUrl(url_).authority),
        username_(options.username),
        password_(std::move(credentials.secret)),
        ca_file_(options.ca_file),
        from_(options.email_from),
        to_(options.email_to),
        timeout_ms_(options.timeout_ms) {
    globalInit();
  }

  std::string render(const Story& story, TimePoint now, const std::string&) const override {
    return emailMessage(story, from_, to_, now);
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: AUTH LOGIN sends the password in base64; neither form may reach the
    // timeline, whatever a server echoes.
    result.error =
        detail::scrubSecrets(std::move(result.error), {password_, detail::base64(password_)});
    return result;
  }

 private:
  DeliveryResult attempt(const incidents::OutboxItem& item) {
    const std::string scheme = toLower(url_.substr(0, url_.find("://")));
    if (url_.find("://") == std::string::npos || (scheme != "smtp" && scheme != "smtps")) {
      return permanentFailure(
          "the email server URL must be smtp://host:587 (STARTTLS) or "
          "smtps://host:465");
    }
    std::optional<std::string> from = envelopeAddress(from_);
    if (!from) return permanentFailure("email_from is not a usable address");
    if (to_.empty()) return permanentFailure("email_to is empty");
    std::unique_ptr<curl_slist, SlistDeleter> rcpt;
    for (const std::string& to : to_) {
      std::optional<std::string> addr = envelopeAddress(to);
      if (!addr) return permanentFailure("email_to holds an address that is not usable");
      curl_slist* head = curl_slist_append(rcpt.get(), addr->c_str());
      if (head == nullptr) return detail::retryableFailure("libcurl: out of memory");
      if (!rcpt) rcpt.reset(head);
    }

    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) return detail::retryableFailure("libcurl: cannot create a transfer handle");
    CURL* h = easy.get();
    char error_text[CURL_ERROR_SIZE] = {0};
    Upload upload{&item.body, 0};
    ServerReplies replies;

    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts must not raise SIGALRM in threads
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    // Alerts describe an attack in progress: they never cross the network in clear text, and a
    // server that cannot do TLS gets nothing, not even the envelope.
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file_.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file_.c_str());
    if (!username_.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, username_.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from->c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, onRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(item.body.size()));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
    // The debug stream is the only place libcurl shows the EHLO reply, which tells a server
    // without STARTTLS from one that refused it for now.
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, onDebug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &replies);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

    const CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    DeliveryResult r;
    r.http_status = static_cast<int>(code);  // the last SMTP reply code
    if (rc == CURLE_OK) {
      r.ok = true;
      r.output = "accepted by " + server_ + " for " + std::to_string(to_.size()) + " recipient" +
                 (to_.size() == 1 ? "" : "s");
      return r;
    }
    const std::string reason =
        clip(error_text[0] != '\0' ? error_text : curl_easy_strerror(rc), kMaxDetailChars);
    const std::string said =
        replies.last_error.empty()
            ? ""
            : " (server said: " + clip(replies.last_error, kMaxDetailChars) + ")";
    const bool temporary = code >= 400 && code < 500;

    if (rc == CURLE_USE_SSL_FAILED) {
      if (!replies.starttls_offered) {
        r.retryable = false;
        r.error = "SMTP server " + server_ +
                  " does not offer STARTTLS, which honeytrail requires for smtp://; nothing was "
                  "sent (use smtps:// for a server that speaks TLS from the start)";
        return r;
      }
      r.retryable = temporary;
      r.error = "SMTP server " + server_ + " refused STARTTLS" + (temporary ? " for now" : "") +
                "; nothing was sent" + said;
      return r;
    }
    if (rc == CURLE_LOGIN_DENIED) {
      r.retryable = temporary;  // 454: the server's auth back-end is down
      r.error = "SMTP server " + server_ + " refused the login as " + clip(username_, 100) +
                (temporary ? " for now" : " (check username and the password)") + said;
      return r;
    }
    if (code >= 500 && code < 600) {
      r.retryable = false;
      r.error = "SMTP server " + server_ + " rejected the message: " + reason + said;
      return r;
    }
    // 4xx (greylisting, a full queue), no connection, a timeout, a TLS failure (a CA or
    // certificate that an operator can fix before the item ages out): tried again.
    r.error = "SMTP to " + server_ + " failed: " + reason + said;
    return r;
  }

  std::string url_;
  std::string server_;  // host[:port], for messages
  std::string username_;
  std::string password_;
  std::string ca_file_;
  std::string from_;
  std::vector<std::string> to_;
  int timeout_ms_;
};

}  // namespace

std::string emailMessage(const Story& in, const std::string& from,
                         const std::vector<std::string>& to, TimePoint now) {
  const Story s = sanitized(in);
  std::string domain = "honeytrail.invalid";
  if (const size_t at = from.rfind('@'); at != std::string::npos) {
    const std::string d = from.substr(at + 1, from.find('>', at) - at - 1);
    if (!d.empty()) domain = msgIdPart(d);
  }
  const std::string thread = "<" + msgIdPart(s.incident_id) + "@" + domain + ">";
  std::string subject = truncateChars("[honeytrail] " + title(s), 200);
  subject = isPrintableAscii(subject) ? subject : encodedWords(subject);
  std::string recipients;
  for (const std::string& r : to) {
    const std::string v = headerValue(r);
    if (v.empty()) continue;
    recipients += (recipients.empty() ? "" : ", ") + v;
  }
  std::string m;
  m += "From: " + headerValue(from) + "\r\n";
  m += "To: " + recipients + "\r\n";
  m += "Subject: " + subject + "\r\n";
  m += "Date: " + rfc5322Date(now) + "\r\n";
  // The first alert of an incident owns the thread's Message-ID; later ones (escalation,
  // resolved, test) get their own and point back at it, so mail clients group them.
  if (s.kind == incidents::AnnouncementKind::kNew) {
    m += "Message-ID: " + thread + "\r\n";
  } else {
    m += "Message-ID: <" + msgIdPart(s.incident_id) + "." +
         msgIdPart(incidents::announcementKindName(s.kind)) + "." +
         std::to_string(toUnixSeconds(now)) + "@" + domain + ">\r\n";
    m += "In-Reply-To: " + thread + "\r\n";
    m += "References: " + thread + "\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no auto-replies to an alert
  m += "X-Honeytrail-Incident: " + truncateChars(headerValue(s.incident_id), 200) + "\r\n";
  m += "\r\n";
  for (const std::string& line : splitLines(storyText(s))) {
    m += wrapLine(line, kEmailLineBytes) + "\r\n";
  }
  return m;
}

std::unique_ptr<AlertOutput> makeEmailOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials) {
  return std::make_unique<EmailOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
