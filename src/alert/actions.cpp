#include "alert/actions.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "alert/net_util.h"
#include "alert/outputs/webhook.h"
#include "net/http.h"
#include "core/strings.h"

extern char** environ;

namespace ht::alert {
namespace {

using SteadyClock = std::chrono::steady_clock;

using detail::errnoText;
using detail::SigpipeBlock;

constexpr size_t kMaxOutputBytes = 64 * 1024;

// Keeps at most kMaxOutputBytes of what an action printed or answered, counting the rest.
class CappedText {
 public:
  void append(const char* data, size_t n) {
    size_t room = kMaxOutputBytes - std::min(kMaxOutputBytes, text_.size());
    size_t take = std::min(room, n);
    text_.append(data, take);
    dropped_ += n - take;
  }

  // The kept text with a note of what was dropped. A cut never splits a UTF-8 sequence, so the
  // text stays valid for the JSON of the timeline when the action printed valid UTF-8.
  std::string finish() && {
    if (dropped_ > 0) {
      // Back up over at most three continuation bytes to the lead byte of the last character.
      size_t i = text_.size();
      for (int k = 0; k < 3 && i > 0 && (byte(i - 1) & 0xC0) == 0x80; ++k) --i;
      if (i > 0 && byte(i - 1) >= 0xC0) {
        const unsigned char lead = byte(i - 1);
        const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        const size_t have = text_.size() - (i - 1);
        if (have < need) {
          dropped_ += have;
          text_.resize(i - 1);
        }
      }
      if (!text_.empty() && text_.back() != '\n') text_.push_back('\n');
      text_ += "[" + std::to_string(dropped_) + " more bytes dropped]";
    }
    return std::move(text_);
  }

 private:
  unsigned char byte(size_t i) const { return static_cast<unsigned char>(text_[i]); }

  std::string text_;
  size_t dropped_ = 0;
};

// --- command --------------------------------------------------------------------------------

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// A pipe whose ends are above the standard descriptors, so that the child's dup2 onto 0, 1 and 2
// can never overwrite one end with another (possible when honeytrail runs with 0-2 closed).
bool makePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    if (fds[i] > 2) continue;
    int moved = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    ::close(fds[i]);
    fds[i] = moved;
  }
  if (fds[0] < 0 || fds[1] < 0) {
    closeFd(fds[0]);
    closeFd(fds[1]);
    return false;
  }
  return true;
}

std::string signalText(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "");
}

// Whether the child has exited, without reaping it: while the zombie exists its process-group ID
// cannot be reused, so signalling the group stays safe until we reap.
bool hasExited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;  // reaped by someone else: gone all the same
  }
  return info.si_pid == pid;
}

class CommandAction final : public Output {
 public:
  explicit CommandAction(const config::ActionOptions& options)
      : name_(options.name),
        argv_(options.command),
        timeout_(std::chrono::seconds(std::max(1, options.timeout_seconds))) {}

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result;
    result.retryable = false;
    if (argv_.empty() || argv_[0].empty()) {
      result.error = "action " + name_ + ": no command configured";
      return result;
    }
    run(item, &result);
    return result;
  }

 private:
  std::vector<std::string> environment(const incidents::OutboxItem& item) const {
    const std::pair<const char*, std::string> added[] = {
        {"HONEYTRAIL_INCIDENT_ID", item.incident_id},
        {"HONEYTRAIL_ACTION", name_},
        {"HONEYTRAIL_DELIVERY", std::to_string(item.id)},
    };
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      bool replaced = false;
      for (const auto& [name, value] : added) {
        if (startsWith(entry, std::string(name) + "=")) replaced = true;
      }
      if (!replaced) env.emplace_back(entry);
    }
    for (const auto& [name, value] : added) env.push_back(std::string(name) + "=" + value);
    return env;
  }

  void run(const incidents::OutboxItem& item, DeliveryResult* result) const {
    const std::string& program = argv_[0];
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (!makePipe(in)) {
      result->error = "cannot run " + program + ": pipe: " + errnoText(errno);
      return;
    }
    if (!makePipe(out)) {
      result->error = "cannot run " + program + ": pipe: " + errnoText(errno);
      closeFd(in[0]);
      closeFd(in[1]);
      return;
    }

    std::vector<std::string> env_storage = environment(item);
    std::vector<char*> argv;
    for (const std::string& a : argv_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : env_storage) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    // posix_spawn rather than fork: no async-signal-safety traps in a threaded process, and
    // glibc reports an exec failure (a missing program) as its return value.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    // Our own descriptors are O_CLOEXEC, but a library's may not be: none of them (database,
    // sockets, the master key file) should reach a script.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so that a timeout reaches everything the command started.
    posix_spawnattr_setpgroup(&attr, 0);
    // Ignored signals survive exec; the command should start as from a shell, not with
    // honeytrail's dispositions or our blocked SIGPIPE.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    closeFd(in[0]);
    closeFd(out[1]);
    if (rc != 0) {
      closeFd(in[1]);
      closeFd(out[0]);
      result->error = "cannot run " + program + ": " + errnoText(rc);
      return;
    }

    CappedText output;
    bool timed_out = false;
    communicate(pid, item.body, in[1], out[0], &output, &timed_out);

    int status = 0;
    pid_t reaped;
    do {
      reaped = ::waitpid(pid, &status, 0);
    } while (reaped < 0 && errno == EINTR);

    result->output = std::move(output).finish();
    if (timed_out) {
      result->error = "timed out after " + std::to_string(timeout_.count()) + "s";
    } else if (reaped != pid) {
      result->error = "exit status unknown: " + errnoText(errno);
    } else if (WIFEXITED(status)) {
      if (WEXITSTATUS(status) == 0) {
        result->ok = true;
      } else {
        result->error = "exit status " + std::to_string(WEXITSTATUS(status));
      }
    } else if (WIFSIGNALED(status)) {
      result->error = "killed by signal " + signalText(WTERMSIG(status));
    } else {
      result->error = "exit status unknown (wait status " + std::to_string(status) + ")";
    }
  }

  // Feeds the body and collects the output in one poll loop, so that a child that writes a lot
  // before reading (or never reads) cannot deadlock with us. Returns when the child has exited
  // and its output is drained, or after the timeout has killed its process group. Closes both
  // descriptors.
  void communicate(pid_t pid, const std::string& body, int in_fd, int out_fd, CappedText* output,
                   bool* timed_out) const {
    // What a background process left behind by the command keeps of our output pipe is read for
    // this long after the command exits; then it is on its own (it is not killed: starting
    // something lasting may be the point of the action).
    constexpr auto kExitGrace = std::chrono::milliseconds(500);
    // How often the child's exit is checked while it keeps the pipes quiet.
    constexpr auto kExitPoll = std::chrono::milliseconds(20);
    constexpr auto kKillDelay = std::chrono::seconds(2);

    SigpipeBlock no_sigpipe;
    ::fcntl(in_fd, F_SETFL, ::fcntl(in_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(out_fd, F_SETFL, ::fcntl(out_fd, F_GETFL) | O_NONBLOCK);
    if (body.empty()) closeFd(in_fd);

    const auto deadline = SteadyClock::now() + timeout_;
    SteadyClock::time_point kill_at{};
    SteadyClock::time_point grace_until{};
    bool exited = false;
    size_t written = 0;
    char buf[16384];

    for (;;) {
      const auto now = SteadyClock::now();
      if (!exited && hasExited(pid)) {
        exited = true;
        if (!*timed_out) grace_until = now + kExitGrace;
      }
      if (exited && out_fd < 0) break;
      if (!*timed_out && now >= deadline) {
        *timed_out = true;
        ::kill(-pid, SIGTERM);
        kill_at = now + kKillDelay;
        closeFd(in_fd);
      }
      if (*timed_out && now >= kill_at) break;
      if (exited && !*timed_out && now >= grace_until) break;

      SteadyClock::time_point wake = *timed_out ? kill_at : deadline;
      if (exited && !*timed_out) wake = std::min(wake, grace_until);
      if (!exited) wake = std::min(wake, now + kExitPoll);
      int ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1);

      pollfd fds[2];
      nfds_t n = 0;
      if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
      if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
      int rc = ::poll(fds, n, ms);
      if (rc < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        if (fds[i].fd == out_fd) {
          ssize_t got = ::read(out_fd, buf, sizeof buf);
          if (got > 0) {
            output->append(buf, static_cast<size_t>(got));
          } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            closeFd(out_fd);
          }
        } else if (fds[i].fd == in_fd) {
          ssize_t put = ::write(in_fd, body.data() + written, body.size() - written);
          if (put > 0) {
            written += static_cast<size_t>(put);
            if (written == body.size()) closeFd(in_fd);  // EOF tells the command the body ended
          } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
            // EPIPE: the command does not read its input, which is its business.
            closeFd(in_fd);
          }
        }
      }
    }
    closeFd(in_fd);
    closeFd(out_fd);
    if (*timed_out) {
      // Sent before the reap, so the group ID still belongs to this command; it also ends any
      // member that ignored SIGTERM, at once if the command itself has already gone.
      ::kill(-pid, SIGKILL);
    }
  }

  std::string name_;
  std::vector<std::string> argv_;
  std::chrono::seconds timeout_;
};

// --- webhook --------------------------------------------------------------------------------

class WebhookAction final : public Output {
 public:
  WebhookAction(const config::ActionOptions& options, std::string secret)
      : name_(options.name),
        url_(options.url),
        secret_(std::move(secret)),
        allow_private_(options.allow_private) {
    safe_url_ = detail::redactedUrl(url_);
    net::HttpOptions http;
    const int timeout_ms = std::max(1, options.timeout_seconds) * 1000;
    http.request_timeout_ms = timeout_ms;
    http.connect_timeout_ms = std::min(timeout_ms, 5000);
    // The body is cut to 64 KiB for the timeline below; this only stops a runaway response
    // before it fills memory (and makes the attempt fail, although the POST did arrive).
    http.max_response_bytes = 16u << 20;
    transport_ = net::makeCurlTransport(http);
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result;
    result.retryable = false;
    net::HttpRequest req;
    if (!allow_private_) {
      if (auto refused = detail::refusePrivateTarget(url_, safe_url_, &req.resolve)) {
        refused->retryable = false;  // actions are never retried, not even after a DNS failure
        return *refused;
      }
    }
    req.method = "POST";
    req.url = url_;
    req.headers.push_back({"Content-Type", "application/json"});
    req.headers.push_back({"User-Agent", "honeytrail"});
    req.headers.push_back({"X-Honeytrail-Incident", item.incident_id});
    req.headers.push_back({"X-Honeytrail-Delivery", std::to_string(item.id)});
    req.headers.push_back({"X-Honeytrail-Action", name_});
    if (!secret_.empty()) {
      req.headers.push_back({"X-Honeytrail-Signature", webhookSignature(secret_, item.body)});
    }
    req.body = item.body;

    Result<net::HttpResponse> resp = transport_->send(req);
    if (!resp.hasValue()) {
      result.error = detail::redactUrlIn(resp.status().message(), url_);
      return result;
    }
    result.http_status = resp->status;
    CappedText text;
    text.append(resp->body.data(), resp->body.size());
    result.output = std::move(text).finish();
    if (resp->status >= 200 && resp->status < 300) {
      result.ok = true;
    } else {
      result.error = "HTTP " + std::to_string(resp->status) + " from " + safe_url_;
    }
    return result;
  }

 private:
  std::string name_;
  std::string url_;
  std::string secret_;
  bool allow_private_;
  std::string safe_url_;
  std::unique_ptr<net::HttpTransport> transport_;
};

}  // namespace

std::string actionOutputName(const std::string& action_name) { return "action:" + action_name; }

std::unique_ptr<Output> makeCommandAction(const config::ActionOptions& options) {
  return std::make_unique<CommandAction>(options);
}

Result<std::unique_ptr<Output>> makeWebhookAction(const config::ActionOptions& options,
                                                  const config::EnvLookup& env) {
  const std::string key = "alerts.actions." + options.name;
  detail::UrlParts parts = detail::parseUrl(options.url);
  if ((parts.scheme != "http" && parts.scheme != "https") || parts.host.empty()) {
    return Status::invalidArgument(key + ".url: expected an http:// or https:// URL");
  }
  std::string secret;
  if (!options.secret_env.empty()) {
    std::optional<std::string> value = env(options.secret_env);
    if (!value.has_value() || value->empty()) {
      return Status::invalidArgument(key + ".secret_env: environment variable " +
                                     options.secret_env + " is not set");
    }
    secret = std::move(*value);
  }
  return std::unique_ptr<Output>(std::make_unique<WebhookAction>(options, std::move(secret)));
}

}  // namespace ht::alert
