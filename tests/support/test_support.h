// Shared test helpers: a temporary directory that cleans itself up, and a subprocess runner for
// tests that drive the real honeytrail binary or a real consumer (aws, python3, node, sh).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace ht::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string operator/(const std::string& name) const { return file(name); }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up on PATH) with this process's environment plus `env`, feeding stdin_text.
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {},
              const std::string& stdin_text = "");
// Runs argv[0] (an absolute path) with exactly the environment given ("NAME=value" entries), so
// that nothing of the developer's (AWS_PROFILE, ~/.aws) leaks in; optionally in another directory.
RunResult runClean(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& stdin_text = "", const std::string& cwd = "");

// Debian's AWS CLI (/usr/bin/aws), the reference client; "aws" from PATH when it is absent.
std::string awsCli();

std::string readText(const std::string& path);
void writeText(const std::string& path, const std::string& text, mode_t mode = 0644);

}  // namespace ht::test
