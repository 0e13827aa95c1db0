// The syslog and file outputs against real sockets and files: UDP datagrams, RFC 6587 framing
// over TCP with reconnection, a local datagram socket, failures that must be retried, and JSON
// lines that stay whole when many writers append at once.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "alert/outputs.h"
#include "core/strings.h"
#include "support/test_support.h"

namespace ht::alert {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr char kLine[] =
    "<132>1 2025-03-01T12:00:00Z sensor honeytrail - incident [honeytrail@32473 "
    "incident=\"inc-1\" key=\"AKIAEXAMPLE\"] Honey token used from 203.0.113.9";

store::OutboxItem itemWith(std::string body, int64_t id = 1) {
  store::OutboxItem item;
  item.id = id;
  item.incident_id = "inc-1";
  item.output = "out";
  item.kind = "new";
  item.body = std::move(body);
  return item;
}

config::OutputOptions syslogOptions(const std::string& url) {
  config::OutputOptions o;
  o.name = "syslog";
  o.type = "syslog";
  o.url = url;
  o.timeout_ms = 2000;
  return o;
}

config::OutputOptions fileOptions(const std::string& path) {
  config::OutputOptions o;
  o.name = "file";
  o.type = "file";
  o.path = path;
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

// A port on 127.0.0.1 where nothing listens (bound, then closed).
int closedPort() {
  sockaddr_in addr{};
  int fd = boundSocket(SOCK_STREAM, &addr);
  ::close(fd);
  return ntohs(addr.sin_port);
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

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out = split(text, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

TEST(FileOutputTest, AppendsOneJsonLinePerItemWithMode0600) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  ASSERT_TRUE(out->deliver(itemWith(R"({"incident_id":"inc-1","kind":"new"})")).ok);
  ASSERT_TRUE(out->deliver(itemWith(R"({"incident_id":"inc-1","kind":"escalation"})", 2)).ok);

  std::string text = test::readText(path);
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::string> got = lines(text);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(got[0]).at("kind"), "new");
  EXPECT_EQ(nlohmann::json::parse(got[1]).at("kind"), "escalation");

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(FileOutputTest, FollowsLogRotation) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  ASSERT_TRUE(out->deliver(itemWith(R"({"n":1})")).ok);
  ASSERT_EQ(::rename(path.c_str(), (dir / "alerts.jsonl.1").c_str()), 0);
  ASSERT_TRUE(out->deliver(itemWith(R"({"n":2})")).ok);
  EXPECT_EQ(test::readText(dir / "alerts.jsonl.1"), "{\"n\":1}\n");
  EXPECT_EQ(test::readText(path), "{\"n\":2}\n");
}

TEST(FileOutputTest, ConcurrentWritersNeverInterleaveLines) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  constexpr int kThreads = 8;
  constexpr int kLines = 200;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // One output per thread, as separate outputs (or processes) sharing a file would be.
      auto out = makeFileOutput(fileOptions(path));
      for (int i = 0; i < kLines; ++i) {
        nlohmann::json body = {{"thread", t}, {"i", i}, {"pad", std::string(3000 + 37 * i, 'x')}};
        DeliveryResult r = out->deliver(itemWith(body.dump(), i));
        if (!r.ok) errors[t] = r.error;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");

  std::vector<std::string> got = lines(test::readText(path));
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kLines));
  std::set<std::pair<int, int>> seen;
  for (const std::string& line : got) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "not a whole JSON line: " << line.substr(0, 80);
    EXPECT_EQ(j.at("pad").get<std::string>().size(), 3000u + 37 * j.at("i").get<unsigned>());
    seen.insert({j.at("thread").get<int>(), j.at("i").get<int>()});
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kLines));
}

TEST(FileOutputTest, MissingDirectoryIsARetryableErrorNamingThePath) {
  test::TempDir dir;
  const std::string path = dir / "missing/alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  DeliveryResult r = out->deliver(itemWith("{}"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.error.find(path), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("No such file or directory"), std::string::npos) << r.error;
}

TEST(FileOutputTest, DashWritesToStandardOutput) {
  test::TempDir dir;
  const std::string capture = dir / "stdout";
  int fd = ::open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
  DeliveryResult r = makeFileOutput(fileOptions("-"))->deliver(itemWith(R"({"to":"stdout"})"));
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fd);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(test::readText(capture), "{\"to\":\"stdout\"}\n");
}

TEST(FileOutputTest, ClosedStandardOutputPipeIsAnErrorNotADeadProcess) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);  // the reader went away
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
  // Default SIGPIPE disposition, as in the daemon (the test helpers ignore it).
  auto old = std::signal(SIGPIPE, SIG_DFL);
  DeliveryResult r = makeFileOutput(fileOptions("-"))->deliver(itemWith("{}"));
  std::signal(SIGPIPE, old);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fds[1]);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("standard output"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Broken pipe"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
