#include "alert/net_util.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace ht::alert::detail {
namespace {

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

// "scheme://" in the case the operator wrote it; "" when the URL has none.
std::string schemePrefixAsWritten(const std::string& url) {
  size_t sep = url.find("://");
  return sep == std::string::npos ? "" : url.substr(0, sep + 3);
}

void replaceEach(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos)) {
    text.replace(pos, what.size(), with);
    pos += with.size();
  }
}

}  // namespace

// --- URLs -----------------------------------------------------------------------------------

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
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
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

std::string urlOrigin(const std::string& url) {
  return schemePrefixAsWritten(url) + parseUrl(url).authority;
}

std::string redactedUrl(const std::string& url) {
  UrlParts p = parseUrl(url);
  return (p.scheme.empty() ? "" : p.scheme + "://") + p.authority + "/…";
}

std::string withoutUserInfo(const std::string& url) {
  UrlParts p = parseUrl(url);
  return schemePrefixAsWritten(url) + p.authority + p.path;
}

std::string redactUrlIn(std::string text, const std::string& url) {
  const std::string safe = redactedUrl(url);
  // The whole URL before the bare URL without its query, which it contains.
  replaceEach(text, url, safe);
  replaceEach(text, url.substr(0, url.find_first_of("?#")), safe);
  if (std::string path = parseUrl(url).path; path.size() > 1) replaceEach(text, path, "…");
  if (size_t q = url.find('?'); q != std::string::npos) replaceEach(text, url.substr(q + 1), "…");
  return text;
}

std::string scrubSecrets(std::string text, std::initializer_list<std::string_view> secrets) {
  std::vector<std::string> longest_first(secrets.begin(), secrets.end());
  std::sort(longest_first.begin(), longest_first.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& s : longest_first) replaceEach(text, s, "***");
  return text;
}

// --- text -----------------------------------------------------------------------------------

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

std::string clip(std::string text, size_t max_bytes) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  text = trim(text);
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// --- HTTP -----------------------------------------------------------------------------------

net::HttpOptions httpOptionsFor(const config::OutputOptions& options, size_t max_response_bytes) {
  net::HttpOptions http;
  http.connect_timeout_ms = options.timeout_ms;
  http.request_timeout_ms = options.timeout_ms;
  http.ca_file = options.ca_file;
  http.max_response_bytes = max_response_bytes;
  return http;
}

// --- delivery outcomes ----------------------------------------------------------------------

DeliveryResult permanentFailure(std::string error) {
  DeliveryResult r;
  r.retryable = false;
  r.error = std::move(error);
  return r;
}

DeliveryResult retryableFailure(std::string error) {
  DeliveryResult r;
  r.retryable = true;
  r.error = std::move(error);
  return r;
}

bool isRetryableHttpStatus(int status) { return status == 408 || status == 429 || status >= 500; }

std::optional<std::chrono::seconds> retryAfter(const net::HttpResponse& response) {
  const std::string* value = response.header("Retry-After");
  if (value == nullptr) return std::nullopt;
  std::string v = trim(*value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::chrono::seconds(v.size() > 9 ? 999999999 : std::stoll(v));
  }
  return std::chrono::seconds(60);
}

DeliveryResult httpOutcome(const net::HttpResponse& response) {
  DeliveryResult r;
  r.http_status = response.status;
  if (response.status >= 200 && response.status < 300) {
    r.ok = true;
    return r;
  }
  r.retryable = isRetryableHttpStatus(response.status);
  if (r.retryable) r.retry_after = retryAfter(response);
  return r;
}

// --- private targets ------------------------------------------------------------------------

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
    if (text[0] != '\0' &&
        std::find(out.addresses.begin(), out.addresses.end(), text) == out.addresses.end()) {
      out.addresses.emplace_back(text);
    }
  }
  ::freeaddrinfo(res);
  return out;
}

std::string resolvePin(const std::string& url, const std::vector<std::string>& addresses) {
  UrlParts p = parseUrl(url);
  std::string port;
  size_t close = p.authority.rfind(']');
  size_t colon = p.authority.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    port = p.authority.substr(colon + 1);
  }
  if (port.empty()) port = p.scheme == "https" ? "443" : "80";
  std::string out = p.host + ":" + port + ":";
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string& a = addresses[i];
    out += (i == 0 ? "" : ",") + (a.find(':') != std::string::npos ? "[" + a + "]" : a);
  }
  return out;
}

std::optional<DeliveryResult> refusePrivateTarget(const std::string& url,
                                                  const std::string& shown_url,
                                                  std::vector<std::string>* pin) {
  // Curl would resolve the name again: a DNS answer that changes between the check and the
  // connection (rebinding) could then reach an address never checked. The pin holds curl to
  // the addresses checked here.
  const std::string host = parseUrl(url).host;
  HostCheck check = checkHost(host);
  if (!check.reason.empty()) {
    return permanentFailure("refusing to send to " + shown_url + ": " + check.reason +
                            " (set allow_private to permit it)");
  }
  if (!check.resolve_error.empty()) {
    return retryableFailure("cannot resolve the host of " + shown_url + ": " + check.resolve_error);
  }
  unsigned char literal[16];
  bool is_literal = ::inet_pton(AF_INET, host.c_str(), literal) == 1 ||
                    ::inet_pton(AF_INET6, host.c_str(), literal) == 1;
  if (pin != nullptr && !is_literal && !check.addresses.empty()) {
    pin->push_back(resolvePin(url, check.addresses));
  }
  return std::nullopt;
}

// --- POSIX ----------------------------------------------------------------------------------

std::string errnoText(int err) { return std::strerror(err); }

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

SigpipeBlock::SigpipeBlock() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, &old_);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  // One already pending was raised by someone else: leave it for them.
  pending_before_ = sigismember(&pending, SIGPIPE) == 1;
}

SigpipeBlock::~SigpipeBlock() {
  const int saved_errno = errno;  // callers read the errno of their write after this
  if (!pending_before_) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) >= 0) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  errno = saved_errno;
}

}  // namespace ht::alert::detail
