#include "support/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ht::test {
namespace {

// fork/exec with both output streams captured and stdin fed without deadlocking on a child that
// writes a lot before reading (or never reads at all).
RunResult spawn(const std::vector<std::string>& argv, const std::vector<std::string>* clean_env,
                const std::map<std::string, std::string>& extra_env, const std::string& input,
                const std::string& cwd) {
  std::signal(SIGPIPE, SIG_IGN);  // a child that ignores stdin must not kill the test
  RunResult r;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    r.err = "pipe failed";
    return r;
  }
  // Everything the child needs is built before fork(): between fork and exec a multi-threaded
  // parent's child may only call async-signal-safe functions. Allocating there (setenv, vector
  // growth) can deadlock on a malloc lock that another thread (a test server) held at fork time.
  std::vector<std::string> env_storage;
  if (clean_env != nullptr) {
    env_storage = *clean_env;
  } else {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      size_t eq = entry.find('=');
      if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [k, v] : extra_env) merged[k] = v;
    for (const auto& [k, v] : merged) env_storage.push_back(k + "=" + v);
  }
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env_storage) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();
  const bool search_path = clean_env == nullptr;

  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (dir != nullptr && ::chdir(dir) != 0) ::_exit(126);
    if (search_path) {
      ::execvpe(args[0], args.data(), envp.data());
    } else {
      ::execve(args[0], args.data(), envp.data());
    }
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 120000) <= 0) break;
    for (const pollfd& f : fds) {
      if (f.revents == 0) continue;
      if (f.fd == in_fd) {
        ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n <= 0 || written == input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      ssize_t n = ::read(f.fd, buf, sizeof buf);
      std::string& sink = f.fd == out[0] ? r.out : r.err;
      if (n > 0) {
        sink.append(buf, static_cast<size_t>(n));
      } else {
        (f.fd == out[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "honeytrail-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& stdin_text) {
  return spawn(argv, nullptr, env, stdin_text, "");
}

RunResult runClean(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& stdin_text, const std::string& cwd) {
  return spawn(argv, &env, {}, stdin_text, cwd);
}

std::string awsCli() { return ::access("/usr/bin/aws", X_OK) == 0 ? "/usr/bin/aws" : "aws"; }

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void writeText(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

}  // namespace ht::test
