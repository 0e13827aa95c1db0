#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ht {
namespace {

std::string errnoText() { return std::strerror(errno); }

// Creates the temporary file beside path as ".NAME.XXXXXX" (the name editors use), so that a
// write interrupted by a crash leaves nothing that announces honeytrail next to a planted file.
int openTempBeside(const std::string& path, std::string* tmp) {
  std::filesystem::path p(path);
  *tmp = (p.parent_path() / ("." + p.filename().string() + ".XXXXXX")).string();
  return ::mkostemp(tmp->data(), O_CLOEXEC);
}

Status writeAll(int fd, const std::string& content, const std::string& path) {
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::ioError("writing " + path + ": " + errnoText());
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return Status::ioError("syncing " + path + ": " + errnoText());
  return Status::ok();
}

}  // namespace

Result<std::string> readFile(const std::string& path) {
  std::string out;
  HT_RETURN_IF_ERROR(readFileInto(path, &out));
  return out;
}

Status readFileInto(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::notFound("no such file: " + path);
    if (errno == EACCES)
      return Status::permissionDenied("cannot read " + path + ": " + errnoText());
    return Status::ioError("cannot open " + path + ": " + errnoText());
  }
  // Sized from fstat and read straight into place; a file that grows meanwhile is still read to
  // its end, and pipes and /proc files (size 0) take the growing path.
  struct stat sb;
  size_t expected =
      ::fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? static_cast<size_t>(sb.st_size) : 0;
  size_t used = 0;
  out->resize(std::max<size_t>(expected + 1, 4096));
  for (;;) {
    if (used == out->size()) out->resize(out->size() * 2);
    ssize_t n = ::read(fd, out->data() + used, out->size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Status::ioError("reading " + path + ": " + errnoText());
      ::close(fd);
      out->clear();
      return st;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(used);
  return Status::ok();
}

// Writes content to a new temporary file beside path, with mode, and returns its name in *tmp.
// On failure nothing is left behind.
Status writeTempBeside(const std::string& path, const std::string& content, mode_t mode,
                       std::string* tmp) {
  int fd = openTempBeside(path, tmp);
  if (fd < 0) {
    if (errno == EACCES || errno == EROFS) {
      return Status::permissionDenied("cannot write " + path + ": " + errnoText());
    }
    return Status::ioError("cannot create a file beside " + path + ": " + errnoText());
  }
  ::fchmod(fd, mode);  // mkostemp makes 0600; the mode asked for is the one we want
  Status st = writeAll(fd, content, *tmp);
  ::close(fd);
  if (!st.isOk()) ::unlink(tmp->c_str());
  return st;
}

Status writeFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp;
  HT_RETURN_IF_ERROR(writeTempBeside(path, content, mode, &tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status err = Status::ioError("replacing " + path + ": " + errnoText());
    ::unlink(tmp.c_str());
    return err;
  }
  return Status::ok();
}

Status writeFileExclusive(const std::string& path, const std::string& content, mode_t mode) {
  // Written in full under a temporary name, then linked into place: link() fails if the name
  // exists, and a reader racing with us sees either no file or the whole file, never a prefix.
  std::string tmp;
  HT_RETURN_IF_ERROR(writeTempBeside(path, content, mode, &tmp));
  Status st = Status::ok();
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    st = errno == EEXIST ? Status::alreadyExists(path + " already exists")
                         : Status::ioError("cannot create " + path + ": " + errnoText());
  }
  ::unlink(tmp.c_str());
  return st;
}

Status ensurePrivateDir(const std::string& path, mode_t mode) {
  std::error_code ec;
  bool existed = std::filesystem::is_directory(path, ec);
  if (!existed) {
    if (std::filesystem::exists(path, ec)) {
      return Status::ioError("data dir " + path + " exists and is not a directory");
    }
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::permissionDenied("cannot create data dir " + path + ": " + ec.message());
    ::chmod(path.c_str(), mode);
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    return Status::permissionDenied("data dir " + path + " is not writable: " + errnoText());
  }
  return Status::ok();
}

std::string hostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return host;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace ht
