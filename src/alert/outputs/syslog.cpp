#include "alert/outputs/syslog.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/net_util.h"
#include "alert/story_text.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using SteadyClock = std::chrono::steady_clock;

using detail::errnoText;
using detail::Fd;
using detail::isTest;
using detail::sanitized;
using detail::title;
using detail::truncateChars;
using detail::untrusted;

constexpr size_t kSyslogValueChars = 256;
constexpr size_t kSyslogMsgChars = 1024;  // keeps the line under the 2048 octets receivers take

// RFC 5424 PARAM-VALUE: '"', '\' and ']' must be escaped with a backslash.
std::string sdEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

int syslogSeverity(const Story& s) {
  if (isTest(s)) return 6;                 // informational
  if (s.kind == incidents::AnnouncementKind::kResolved) return 5;  // notice
  switch (s.severity) {
    case Severity::kCritical:
      return 2;  // critical
    case Severity::kHigh:
      return 3;  // error
    case Severity::kMedium:
      return 4;  // warning
    case Severity::kLow:
      return 5;  // notice
    case Severity::kInfo:
      return 6;  // informational
  }
  return 6;
}

// HOSTNAME, APP-NAME and friends are PRINTUSASCII without spaces, or the NILVALUE "-".
std::string printUsAscii(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

int millisUntil(SteadyClock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

// Waits until fd is ready for `events` or the deadline passes. false on timeout; errno-style
// failures are reported through *err.
bool waitFor(int fd, short events, SteadyClock::time_point deadline, int* err) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ms = millisUntil(deadline);
    int rc = ::poll(&p, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) {
      if (ms == 0 || SteadyClock::now() >= deadline) {
        *err = ETIMEDOUT;
        return false;
      }
      continue;
    }
    if (errno == EINTR) continue;
    *err = errno;
    return false;
  }
}

enum class SyslogTransport { kUdp, kTcp, kUnix };

struct SyslogTarget {
  SyslogTransport transport = SyslogTransport::kUdp;
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string path;   // unix
  std::string error;  // why the URL cannot be used; "" = fine
};

SyslogTarget parseSyslogUrl(const std::string& url) {
  SyslogTarget t;
  size_t sep = url.find("://");
  if (sep == std::string::npos) {
    t.error = "expected udp://host:port, tcp://host:port or unix:///path";
    return t;
  }
  std::string scheme = toLower(url.substr(0, sep));
  std::string rest = url.substr(sep + 3);
  if (scheme == "unix") {
    t.transport = SyslogTransport::kUnix;
    t.path = rest;
    if (t.path.empty() || t.path[0] != '/') t.error = "expected unix:///absolute/path";
    if (t.path.size() >= sizeof(sockaddr_un{}.sun_path)) t.error = "socket path too long";
    return t;
  }
  if (scheme == "udp") {
    t.transport = SyslogTransport::kUdp;
  } else if (scheme == "tcp") {
    t.transport = SyslogTransport::kTcp;
  } else {
    t.error = "unsupported scheme \"" + scheme + "\" (udp, tcp or unix)";
    return t;
  }
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) {
      t.error = "unterminated IPv6 address";
      return t;
    }
    t.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') {
        t.error = "expected host:port";
        return t;
      }
      port = rest.substr(close + 2);
    }
  } else {
    size_t colon = rest.rfind(':');
    t.host = colon == std::string::npos ? rest : rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  // 514 is the registered port for both syslog over UDP (RFC 5426) and the TCP transport most
  // receivers listen on, so a URL without one still means what its author expects.
  t.port = port.empty() ? "514" : port;
  if (t.host.empty()) t.error = "missing host";
  return t;
}

class SyslogOutput final : public AlertOutput {
 public:
  explicit SyslogOutput(const config::OutputOptions& options)
      : url_(options.url),
        target_(parseSyslogUrl(options.url)),
        timeout_(std::chrono::milliseconds(options.timeout_ms > 0 ? options.timeout_ms : 10000)) {}

  std::string render(const Story& story, TimePoint now,
                     const std::string& hostname) const override {
    return syslogLine(story, hostname, now);
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result;
    if (!target_.error.empty()) {
      result.retryable = false;
      result.error = "syslog " + url_ + ": " + target_.error;
      return result;
    }
    const auto deadline = SteadyClock::now() + timeout_;
    std::string error;
    bool permanent = false;
    switch (target_.transport) {
      case SyslogTransport::kUdp:
        error = sendUdp(item.body, deadline, &permanent);
        break;
      case SyslogTransport::kTcp:
        error = sendTcp(item.body, deadline);
        break;
      case SyslogTransport::kUnix:
        error = sendUnix(item.body, deadline, &permanent);
        break;
    }
    if (error.empty()) {
      result.ok = true;
    } else {
      result.retryable = !permanent;
      result.error = "syslog " + url_ + ": " + error;
    }
    return result;
  }

 private:
  // Sends one datagram on a connected socket. A datagram goes whole or not at all.
  static std::string sendDatagram(int fd, const std::string& data, SteadyClock::time_point deadline,
                                  bool* permanent) {
    for (;;) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) return "";
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
        // A local receiver whose queue is full (journald or rsyslog busy): wait for room.
        if (!waitFor(fd, POLLOUT, deadline, &err)) return "send failed: " + errnoText(err);
        continue;
      }
      // The line will never fit in one datagram; retrying cannot help.
      if (err == EMSGSIZE) *permanent = true;
      return "send failed: " + errnoText(err);
    }
  }

  // Resolved on every attempt so that a changed DNS record is picked up without a restart.
  std::string resolve(int socktype, addrinfo** out) const {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_ADDRCONFIG;
    int rc = ::getaddrinfo(target_.host.c_str(), target_.port.c_str(), &hints, out);
    if (rc != 0) {
      return "cannot resolve " + target_.host + ": " +
             (rc == EAI_SYSTEM ? errnoText(errno) : std::string(gai_strerror(rc)));
    }
    return "";
  }

  // Connects a non-blocking socket within the deadline; "" on success.
  static std::string connectWithin(int fd, const sockaddr* addr, socklen_t len,
                                   SteadyClock::time_point deadline) {
    if (::connect(fd, addr, len) == 0) return "";
    int err = errno;
    if (err != EINPROGRESS && err != EINTR) return errnoText(err);
    if (!waitFor(fd, POLLOUT, deadline, &err)) return errnoText(err);
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) return errnoText(errno);
    return so_error == 0 ? "" : errnoText(so_error);
  }

  // Resolves the target and hands each of its addresses in turn, with a fresh non-blocking
  // socket, to `attempt` until it returns "" or sets *stop; then, or after the last address,
  // returns its error.
  template <typename Attempt>
  std::string eachAddress(int socktype, Attempt attempt) const {
    addrinfo* res = nullptr;
    std::string error = resolve(socktype, &res);
    if (!error.empty()) return error;
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
    error = "no usable address";
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
      if (!fd.valid()) {
        error = "socket failed: " + errnoText(errno);
        continue;
      }
      bool stop = false;
      error = attempt(std::move(fd), *a, &stop);
      if (error.empty() || stop) return error;
    }
    return error;
  }

  std::string sendUdp(const std::string& line, SteadyClock::time_point deadline,
                      bool* permanent) const {
    return eachAddress(SOCK_DGRAM, [&](Fd fd, const addrinfo& a, bool* stop) -> std::string {
      // Connected, so that the kernel picks the source address and reports ICMP errors of an
      // earlier datagram; UDP itself never tells whether a line arrived.
      if (::connect(fd.get(), a.ai_addr, a.ai_addrlen) != 0) {
        return "connect failed: " + errnoText(errno);
      }
      std::string error = sendDatagram(fd.get(), line, deadline, permanent);
      *stop = *permanent;
      return error;
    });
  }

  std::string sendUnix(const std::string& line, SteadyClock::time_point deadline,
                       bool* permanent) const {
    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) return "socket failed: " + errnoText(errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, target_.path.c_str(), target_.path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      return "connect failed: " + errnoText(errno);
    }
    return sendDatagram(fd.get(), line, deadline, permanent);
  }

  // A kept connection is reused only if the receiver has not closed or reset it meanwhile
  // (syslog receivers never send anything, so any readable state means it is gone). Without this
  // check the first line after the receiver restarted would be written into a dead socket and,
  // as TCP has no acknowledgement at the syslog level, be lost without an error.
  bool connectionAlive() const {
    pollfd p{tcp_fd_.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

  std::string connectTcp(SteadyClock::time_point deadline) {
    return eachAddress(SOCK_STREAM, [&](Fd fd, const addrinfo& a, bool*) -> std::string {
      std::string why = connectWithin(fd.get(), a.ai_addr, a.ai_addrlen, deadline);
      if (!why.empty()) return "connect failed: " + why;
      tcp_fd_ = std::move(fd);
      return "";
    });
  }

  std::string sendTcp(const std::string& line, SteadyClock::time_point deadline) {
    if (tcp_fd_.valid() && !connectionAlive()) tcp_fd_.reset();
    if (!tcp_fd_.valid()) {
      std::string error = connectTcp(deadline);
      if (!error.empty()) return error;
    }
    // RFC 6587 octet counting: "MSG-LEN SP SYSLOG-MSG", which survives newlines in the message.
    const std::string frame = std::to_string(line.size()) + " " + line;
    size_t sent = 0;
    while (sent < frame.size()) {
      ssize_t n = ::send(tcp_fd_.get(), frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
      if (n >= 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        if (waitFor(tcp_fd_.get(), POLLOUT, deadline, &err)) continue;
      }
      // A frame cut short leaves the stream unparseable for the receiver: drop the connection
      // so that the retry starts a clean one and sends the whole frame again.
      tcp_fd_.reset();
      return (sent == 0 ? "send failed: "
                        : "send failed after " + std::to_string(sent) + " of " +
                              std::to_string(frame.size()) + " bytes: ") +
             errnoText(err);
    }
    return "";
  }

  std::string url_;
  SyslogTarget target_;
  std::chrono::milliseconds timeout_;
  Fd tcp_fd_;  // kept between items; only one dispatcher thread uses an output at a time
};

}  // namespace

std::string syslogLine(const Story& in, const std::string& hostname, TimePoint now) {
  const Story s = sanitized(in);
  constexpr int kFacilityAuth = 4;  // security/authorization messages
  const int pri = kFacilityAuth * 8 + syslogSeverity(s);
  std::vector<std::pair<std::string, std::string>> params = {
      {"incident", s.incident_id},
      {"kind", incidents::announcementKindName(s.kind)},
      {"severity", severityName(s.severity)},
      {"key", s.key_id},
      {"account", s.account_id},
      {"calls", std::to_string(s.trigger_count)},
  };
  if (!s.callers.empty()) {
    params.emplace_back("source", s.callers.front().source_ip);
    params.emplace_back("client", s.callers.front().client);
  }
  if (isTest(s)) params.emplace_back("test", "true");
  std::string sd = "[honeytrail@32473";
  for (const auto& [name, value] : params) {
    sd += " " + name + "=\"" + sdEscape(untrusted(value, kSyslogValueChars)) + "\"";
  }
  sd += "]";
  return "<" + std::to_string(pri) + ">1 " + formatTime(now) + " " + printUsAscii(hostname, 255) +
         " honeytrail - incident " + sd + " " + truncateChars(title(s), kSyslogMsgChars);
}

std::unique_ptr<AlertOutput> makeSyslogOutput(const config::OutputOptions& options,
                                              OutputCredentials) {
  return std::make_unique<SyslogOutput>(options);
}

}  // namespace ht::alert
