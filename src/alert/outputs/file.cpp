#include "alert/outputs/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "alert/net_util.h"
#include "alert/outputs/webhook.h"
#include "alert/story_text.h"

namespace ht::alert {
namespace {

using detail::errnoText;
using detail::Fd;
using detail::SigpipeBlock;

// Opens the file for every line instead of keeping it open: alerts are rare, an open() costs
// microseconds, and this way logrotate (move + create, or a deleted file) needs no signal or
// copytruncate, and a file removed by hand is simply created again.
class FileOutput final : public AlertOutput {
 public:
  explicit FileOutput(const config::OutputOptions& options) : path_(options.path) {}

  // The generic webhook's JSON: a log pipeline parses the same document a webhook receiver gets.
  std::string render(const Story& story, TimePoint, const std::string&) const override {
    return detail::dumpJson(webhookPayload(story));
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result;
    if (path_.empty()) {
      result.retryable = false;
      result.error = "file output: no path configured";
      return result;
    }
    std::string line = item.body;
    if (line.empty() || line.back() != '\n') line.push_back('\n');

    const bool to_stdout = path_ == "-";
    const std::string label = to_stdout ? "standard output" : path_;
    Fd owned;
    int fd = STDOUT_FILENO;
    if (!to_stdout) {
      // 0600 because alerts name the tokens and where they are planted. An existing file keeps
      // the mode its administrator gave it.
      owned = Fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
      if (!owned.valid()) {
        result.error = "cannot open " + label + ": " + errnoText(errno);
        return result;
      }
      fd = owned.get();
    }
    // One write() per line: with O_APPEND, Linux writes a regular file's line at the end as one
    // piece even with other writers (processes or other outputs) appending at the same time, so
    // lines never interleave. Writing the remainder of a short write separately would break that
    // guarantee, so a short write is reported (and retried whole) instead.
    ssize_t n;
    int err = 0;
    {
      SigpipeBlock no_sigpipe;
      do {
        n = ::write(fd, line.data(), line.size());
      } while (n < 0 && errno == EINTR);
      err = errno;  // before the guard's sigtimedwait overwrites it
    }
    if (n < 0) {
      result.error = "cannot write to " + label + ": " + errnoText(err);
      return result;
    }
    if (static_cast<size_t>(n) != line.size()) {
      result.error = "short write to " + label + ": " + std::to_string(n) + " of " +
                     std::to_string(line.size()) + " bytes written (disk full?)";
      return result;
    }
    result.ok = true;
    return result;
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<AlertOutput> makeFileOutput(const config::OutputOptions& options,
                                            OutputCredentials) {
  return std::make_unique<FileOutput>(options);
}

}  // namespace ht::alert
