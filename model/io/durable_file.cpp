#include "io/durable_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/errors.hpp"
#include "io/results_file.hpp"

namespace arcm::io {

namespace {

//! Closes a POSIX file descriptor on every path out of a scope.
struct Descriptor {
  int fd{-1};
  explicit Descriptor(int descriptor) : fd(descriptor) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

void sync_directory_of(const std::string& path) {
  std::string directory = ".";
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos) directory = slash == 0 ? "/" : path.substr(0, slash);
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor < 0)
    throw IoError("cannot open directory '" + directory + "' to fsync it: " + std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (status != 0) throw IoError("cannot fsync directory '" + directory + "': " + std::strerror(error));
}

void sync_file_at(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  if (descriptor < 0) throw IoError("cannot open '" + path + "' to fsync it: " + std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (status != 0) throw IoError("cannot fsync '" + path + "': " + std::strerror(error));
}

void copy_file_exclusive(const std::string& from, const std::string& to) {
  const Descriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) throw IoError("cannot open '" + from + "' to copy it: " + std::strerror(errno));
  struct stat status {};
  if (::fstat(in.fd, &status) != 0) throw IoError("cannot stat '" + from + "': " + std::strerror(errno));
  Descriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
  if (out.fd < 0) {
    const int error = errno;
    if (error == EEXIST)
      throw IoError("'" + to + "' already exists (an unfinished sweep, or an update that did not finish; '" +
                    from + "' itself is intact): finish or remove it first");
    throw IoError("cannot create '" + to + "': " + std::strerror(error));
  }
  try {
    // The copy replaces `from` on finish(), so it must keep its permissions
    // (the creation mode above is narrowed by the umask).
    if (::fchmod(out.fd, status.st_mode & 07777) != 0)
      throw IoError("cannot set the permissions of '" + to + "': " + std::strerror(errno));
    std::vector<char> buffer(1 << 20);
    for (;;) {
      const ssize_t got = ::read(in.fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw IoError("cannot read '" + from + "': " + std::strerror(errno));
      if (got == 0) break;
      for (ssize_t done = 0; done < got;) {
        const ssize_t put = ::write(out.fd, buffer.data() + done, static_cast<std::size_t>(got - done));
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) throw IoError("cannot write '" + to + "': " + std::strerror(errno));
        done += put;
      }
    }
    if (::fsync(out.fd) != 0) throw IoError("cannot fsync '" + to + "': " + std::strerror(errno));
    const int descriptor = out.fd;
    out.fd = -1;
    if (::close(descriptor) != 0) throw IoError("cannot close '" + to + "': " + std::strerror(errno));
  } catch (...) {
    std::remove(to.c_str());
    throw;
  }
}

bool locked_by_another_process(const std::string& path) {
  const Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) return false;
  // HDF5 takes flock() locks; a lock this process can take it releases at once
  // (closing the descriptor releases it too).
  if (::flock(file.fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(file.fd, LOCK_UN);
    return false;
  }
  return errno == EWOULDBLOCK;
}

void rename_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw IoError("cannot rename '" + from + "' to '" + to + "': " + std::strerror(errno));
}

} // namespace arcm::io
