#include "support/moto_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace ht::test {
namespace {

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool canConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

const std::map<std::string, std::string>& fakeAwsEnv() {
  static const std::map<std::string, std::string> kEnv = {
      {"AWS_ACCESS_KEY_ID", "AKIAQ3TESTMOTOKEY234"},
      {"AWS_SECRET_ACCESS_KEY", "testingSecretForMotoOnly0123456789abcdefg"},
      {"AWS_DEFAULT_REGION", "us-east-1"},
      {"AWS_CONFIG_FILE", "/nonexistent/config"},
      {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
  return kEnv;
}

std::string MotoServer::findBinary() {
  if (const char* path = std::getenv("PATH")) {
    for (const std::string& dir : {std::string(path)}) {
      size_t start = 0;
      while (start <= dir.size()) {
        size_t end = dir.find(':', start);
        if (end == std::string::npos) end = dir.size();
        std::string candidate = dir.substr(start, end - start) + "/moto_server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
      }
    }
  }
  // The machine image installs it under pyenv; CI's PATH may not carry the shims.
  glob_t g{};
  std::string found;
  if (::glob("/root/.pyenv/versions/*/bin/moto_server", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    found = g.gl_pathv[0];
  }
  ::globfree(&g);
  return found;
}

MotoServer::MotoServer(std::map<std::string, std::string> extra_env) {
  std::string binary = findBinary();
  if (binary.empty()) {
    error_ =
        "moto_server is not installed (the machine image ships it with Python 3.11 moto 5.2.1)";
    return;
  }
  int port = freePort();
  endpoint_ = "http://127.0.0.1:" + std::to_string(port);
  log_path_ = "/tmp/honeytrail-moto-" + std::to_string(port) + ".log";
  // Built before fork(): the child of a multi-threaded test may not allocate before exec.
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : extra_env) merged[k] = v;
  std::vector<std::string> env_storage;
  for (const auto& [k, v] : merged) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string port_text = std::to_string(port);
  std::vector<char*> args = {
      binary.data(),           const_cast<char*>("-H"), const_cast<char*>("127.0.0.1"),
      const_cast<char*>("-p"), port_text.data(),        nullptr};
  pid_ = ::fork();
  if (pid_ == 0) {
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::setpgid(0, 0);
    ::execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "moto_server exited at start: " + readText(log_path_);
      return;
    }
    if (canConnect(port)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "moto_server did not listen on " + endpoint_ + " within 30 s";
}

MotoServer::~MotoServer() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

bool MotoServer::reset() {
  RunResult r = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                     endpoint_ + "/moto-api/reset"});
  return r.out == "200";
}

}  // namespace ht::test
