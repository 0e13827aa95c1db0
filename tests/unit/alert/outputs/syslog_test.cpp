// The syslog output: its line checked against RFC 5424, and its delivery against real sockets:
// UDP datagrams, RFC 6587 framing over TCP with reconnection, a local datagram socket, and
// failures that must be retried.
#include "alert/outputs/syslog.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::closedPort;
using fixtures::itemWith;
using fixtures::kLast;
using fixtures::makeStory;
using SteadyClock = std::chrono::steady_clock;

// ---- The line -----------------------------------------------------------------------------------

const std::regex& rfc5424() {
  // HEADER SP STRUCTURED-DATA [SP MSG], with SD-NAME and PARAM-VALUE as the RFC defines them.
  static const std::regex re(
      R"(^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)) ([!-~]{1,255}) )"
      R"(([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) )"
      R"((-|(\[[^ =\]"]{1,32}( [^ =\]"]{1,32}="([^"\\\]]|\\["\\\]])*")*\])+)( .*)?$)");
  return re;
}

TEST(PayloadSyslog, LineMatchesRfc5424) {
  Story s = makeStory();
  s.headline += "\nsecond line";
  const std::string line = syslogLine(s, "ht-01.example.com", kLast);
  EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, rfc5424())) << line;
  EXPECT_EQ(m[1], "34");  // auth (4) * 8 + critical (2)
  EXPECT_EQ(m[2], "2026-11-28T15:44:52Z");
  EXPECT_EQ(m[5], "ht-01.example.com");
  EXPECT_EQ(m[6], "honeytrail");
  EXPECT_EQ(m[8], "incident");
  EXPECT_NE(line.find("[honeytrail@32473 incident=\"inc-20261128-0001\""), std::string::npos);
  EXPECT_NE(line.find(" key=\"AKIA2E0A8F3B244C9986\""), std::string::npos);
  EXPECT_NE(line.find(" source=\"203.0.113.9\""), std::string::npos);
  EXPECT_TRUE(endsWith(line,
                       "] Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli) "
                       "second line"));
  EXPECT_LE(line.size(), 2048u);
}

TEST(PayloadSyslog, ParamValuesAreEscapedAndTestIsInformational) {
  Story s = makeStory();
  s.test = true;
  s.kind = incidents::AnnouncementKind::kTest;
  s.incident_id = "inc\"] [evil@1 x=\"y\\";
  s.callers[0].source_ip = std::string(400, ']');
  const std::string line = syslogLine(s, "host with spaces", kLast);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, rfc5424())) << line;
  EXPECT_EQ(m[1], "38");  // auth (4) * 8 + informational (6)
  EXPECT_EQ(m[5], "hostwithspaces");
  EXPECT_NE(line.find("incident=\"inc\\\"\\] [evil@1 x=\\\"y\\\\\""), std::string::npos) << line;
  EXPECT_NE(line.find(" test=\"true\""), std::string::npos);
  EXPECT_NE(line.find("] TEST: Honey key"), std::string::npos);
  EXPECT_LE(line.size(), 2048u);
}

// ---- Delivery -----------------------------------------------------------------------------------

constexpr char kLine[] =
    "<132>1 2025-03-01T12:00:00Z sensor honeytrail - incident [honeytrail@32473 "
    "incident=\"inc-1\" key=\"AKIAEXAMPLE\"] Honey token used from 203.0.113.9";
config::OutputOptions syslogOptions(const std::string& url) {
  config::OutputOptions o;
  o.name = "syslog";
  o.type = "syslog";
  o.url = url;
  o.timeout_ms = 2000;
  return o;
}
int boundSocket(int type, sockaddr_in* addr) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  *addr = {};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(addr), sizeof *addr), 0);
  socklen_t len = sizeof *addr;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len), 0);
  return fd;
}

// Receives one datagram within the deadline.
std::optional<std::string> receiveDatagram(int fd, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
  std::string buf(70000, '\0');
  ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<size_t>(n));
  return buf;
}
// A TCP syslog receiver driven by the test thread: accepts connections and splits each one's
// bytes into RFC 6587 octet-counted frames.
class TcpReceiver {
 public:
  TcpReceiver() {
    listen_fd_ = boundSocket(SOCK_STREAM, &addr_);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
  }
  ~TcpReceiver() {
    closeConnections();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  int port() const { return ntohs(addr_.sin_port); }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port()); }
  int connectionsAccepted() const { return accepted_; }

  void closeConnections() {
    for (Conn& c : conns_) ::close(c.fd);
    conns_.clear();
  }
  void stopListening() {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }

  // Reads until `want` frames have arrived in all (or the deadline passes); the raw bytes of
  // every connection so far are kept in raw().
  std::vector<std::string> frames(size_t want,
                                  std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    const auto deadline = SteadyClock::now() + wait;
    while (frames_.size() < want && SteadyClock::now() < deadline) {
      std::vector<pollfd> fds;
      if (listen_fd_ >= 0) fds.push_back({listen_fd_, POLLIN, 0});
      for (const Conn& c : conns_) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      for (const pollfd& p : fds) {
        if (p.revents == 0) continue;
        if (p.fd == listen_fd_) {
          int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (c >= 0) {
            conns_.push_back({c, ""});
            ++accepted_;
          }
          continue;
        }
        for (Conn& c : conns_) {
          if (c.fd != p.fd) continue;
          char buf[4096];
          ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
          if (n > 0) {
            c.pending.append(buf, static_cast<size_t>(n));
            raw_.append(buf, static_cast<size_t>(n));
            parse(c);
          }
        }
      }
    }
    return frames_;
  }
  const std::string& raw() const { return raw_; }

 private:
  struct Conn {
    int fd;
    std::string pending;
  };
  void parse(Conn& c) {
    for (;;) {
      size_t sp = c.pending.find(' ');
      if (sp == std::string::npos) return;
      size_t len = std::stoul(c.pending.substr(0, sp));
      if (c.pending.size() < sp + 1 + len) return;
      frames_.push_back(c.pending.substr(sp + 1, len));
      c.pending.erase(0, sp + 1 + len);
    }
  }

  int listen_fd_ = -1;
  sockaddr_in addr_{};
  std::vector<Conn> conns_;
  std::vector<std::string> frames_;
  std::string raw_;
  int accepted_ = 0;
};

TEST(SyslogOutputTest, UdpSendsTheStoredLineAsOneDatagram) {
  sockaddr_in addr{};
  int rx = boundSocket(SOCK_DGRAM, &addr);
  auto out =
      makeSyslogOutput(syslogOptions("udp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))));

  DeliveryResult r = out->deliver(itemWith(kLine));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(receiveDatagram(rx, std::chrono::seconds(5)), std::optional<std::string>(kLine));

  r = out->deliver(itemWith("second"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(receiveDatagram(rx, std::chrono::seconds(5)), std::optional<std::string>("second"));
  ::close(rx);
}

TEST(SyslogOutputTest, TcpUsesOctetCountingFraming) {
  TcpReceiver rx;
  auto out = makeSyslogOutput(syslogOptions(rx.url()));
  const std::string second = "<132>1 - h honeytrail - - - caf\xC3\xA9 with\nnewline";
  DeliveryResult r = out->deliver(itemWith(kLine));
  ASSERT_TRUE(r.ok) << r.error;
  r = out->deliver(itemWith(second));
  ASSERT_TRUE(r.ok) << r.error;

  std::vector<std::string> frames = rx.frames(2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], kLine);
  EXPECT_EQ(frames[1], second);
  // Exactly "LEN SP MSG" per item, nothing else on the wire (no newline trailer).
  const std::string line(kLine);
  EXPECT_EQ(rx.raw(), std::to_string(line.size()) + " " + line + std::to_string(second.size()) +
                          " " + second);
}

TEST(SyslogOutputTest, TcpReconnectsAfterTheReceiverDroppedTheConnection) {
  TcpReceiver rx;
  auto out = makeSyslogOutput(syslogOptions(rx.url()));
  ASSERT_TRUE(out->deliver(itemWith("one")).ok);
  ASSERT_EQ(rx.frames(1).size(), 1u);
  rx.closeConnections();  // e.g. the receiver restarted

  DeliveryResult r = out->deliver(itemWith("two"));
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> frames = rx.frames(2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1], "two");
  EXPECT_EQ(rx.connectionsAccepted(), 2);
}

TEST(SyslogOutputTest, TcpReceiverGoneIsARetryableErrorNamingTheTarget) {
  const std::string url = "tcp://127.0.0.1:" + std::to_string(closedPort());
  auto out = makeSyslogOutput(syslogOptions(url));
  DeliveryResult r = out->deliver(itemWith(kLine));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.error.find(url), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST(SyslogOutputTest, TcpReceiverThatStoppedAfterAnItemFailsTheNextAttempt) {
  TcpReceiver rx;
  auto out = makeSyslogOutput(syslogOptions(rx.url()));
  ASSERT_TRUE(out->deliver(itemWith("one")).ok);
  ASSERT_EQ(rx.frames(1).size(), 1u);
  rx.closeConnections();
  rx.stopListening();

  DeliveryResult r = out->deliver(itemWith("two"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.error.find(rx.url()), std::string::npos) << r.error;
}

TEST(SyslogOutputTest, UnixDatagramSocket) {
  test::TempDir dir;
  const std::string path = dir / "log";
  int rx = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(rx, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  auto out = makeSyslogOutput(syslogOptions("unix://" + path));
  DeliveryResult r = out->deliver(itemWith(kLine));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(receiveDatagram(rx, std::chrono::seconds(5)), std::optional<std::string>(kLine));

  ::close(rx);
  ::unlink(path.c_str());
  r = out->deliver(itemWith(kLine));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.error.find(path), std::string::npos) << r.error;
}

TEST(SyslogOutputTest, UnusableUrlIsPermanent) {
  auto out = makeSyslogOutput(syslogOptions("http://127.0.0.1:514"));
  DeliveryResult r = out->deliver(itemWith(kLine));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("unsupported scheme"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
