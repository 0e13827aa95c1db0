// What every alert output and response action shares, kept once so that they all read URLs,
// hide secrets, judge HTTP answers and refuse private targets the same way. Internal to
// src/alert; tests reach it through the outputs.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "alert/dispatcher.h"
#include "net/http.h"
#include "config/options.h"

namespace ht::alert::detail {

// How much of a receiver's explanation a timeline entry keeps.
constexpr size_t kMaxDetailChars = 300;

// --- URLs -----------------------------------------------------------------------------------

struct UrlParts {
  std::string scheme;     // lower case; "" when the URL has no "://"
  std::string authority;  // host[:port] as written, without user-info (IPv6 brackets kept)
  std::string host;       // without port or IPv6 brackets
  std::string path;       // from the first '/', '?' or '#' on, query included
};
UrlParts parseUrl(const std::string& url);

// scheme://host[:port]: enough to tell which endpoint failed, for endpoints whose path says
// nothing secret.
std::string urlOrigin(const std::string& url);
// scheme://host[:port]/…: webhook paths and queries often are the credential.
std::string redactedUrl(const std::string& url);
// The URL without user-info (which can hold a password), path kept.
std::string withoutUserInfo(const std::string& url);

// Transport errors may quote the URL: every appearance of it (whole or without its query)
// becomes redactedUrl(url), and of its path or query alone "…".
std::string redactUrlIn(std::string text, const std::string& url);
// Every non-empty secret in text replaced by "***", longest first so that a secret holding
// another (a Basic credential holds the token) is never left half-replaced.
std::string scrubSecrets(std::string text, std::initializer_list<std::string_view> secrets);

// --- text -----------------------------------------------------------------------------------

std::string base64(std::string_view bytes);
// One trimmed line of at most max_bytes (cut on a UTF-8 boundary): a timeline entry, not a page.
std::string clip(std::string text, size_t max_bytes);

// --- HTTP -----------------------------------------------------------------------------------

// The transport settings of an HTTP output: its timeout for both connect and the whole request,
// its CA file, and a cap on the answer that suits the service.
net::HttpOptions httpOptionsFor(const config::OutputOptions& options, size_t max_response_bytes);

// --- delivery outcomes ----------------------------------------------------------------------

DeliveryResult permanentFailure(std::string error);
DeliveryResult retryableFailure(std::string error);

// 408, 429 and 5xx may succeed later; any other 4xx fails the same way on every retry.
bool isRetryableHttpStatus(int status);
// Retry-After in seconds; an HTTP-date counts as a minute (not worth a date parser for a hint).
std::optional<std::chrono::seconds> retryAfter(const net::HttpResponse& response);
// http_status and ok (2xx) from the answer; otherwise retryable per isRetryableHttpStatus, with
// the receiver's Retry-After when retryable. error is left to the caller, who knows the context.
DeliveryResult httpOutcome(const net::HttpResponse& response);

// --- private targets ------------------------------------------------------------------------

struct HostCheck {
  std::string reason;                  // "" = public
  std::string resolve_error;           // "" = resolved (or a literal)
  std::vector<std::string> addresses;  // what the name resolved to, as text
};
// host: a name or an address, IPv6 in brackets or not. Checks every address it resolves to.
HostCheck checkHost(const std::string& host);

// Why url must not be sent to, as shown_url: a private host is permanent, one that cannot be
// resolved is retried (sending anyway would let curl's own lookup reach an unchecked address).
// nullopt: go ahead. Meant to run on each attempt, as what a name resolves to can change.
// When the target is allowed and pin is given, *pin gets the CURLOPT_RESOLVE entry that holds
// the request to the addresses just checked (none for an address literal).
std::optional<DeliveryResult> refusePrivateTarget(const std::string& url,
                                                  const std::string& shown_url,
                                                  std::vector<std::string>* pin = nullptr);

// "host:port:addr,[v6addr]" for CURLOPT_RESOLVE; the port is the URL's or the scheme's default.
std::string resolvePin(const std::string& url, const std::vector<std::string>& addresses);

// --- POSIX ----------------------------------------------------------------------------------

std::string errnoText(int err);

// An owned file descriptor, closed when the owner goes (the syslog output's sockets, the file
// output's file).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// honeytrail does not ignore SIGPIPE process-wide, so a write to a pipe whose reader is gone
// (standard output piped into a program that exited, a command that does not read its input)
// would kill the daemon. The signal is blocked in this thread for the guard's life and a SIGPIPE
// raised meanwhile is consumed before unblocking; the write itself then just fails with EPIPE.
class SigpipeBlock {
 public:
  SigpipeBlock();
  ~SigpipeBlock();
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_;
  bool pending_before_ = false;
};

}  // namespace ht::alert::detail
