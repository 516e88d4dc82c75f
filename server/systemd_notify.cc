#include "server/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"

namespace clas::server {
namespace {

constexpr char kSocketVariable[] = "NOTIFY_SOCKET";

struct SocketCloser {
  int fd;
  ~SocketCloser() { close(fd); }
};

}  // namespace

absl::Status NotifySystemd(std::string_view state) {
  const char* value = std::getenv(kSocketVariable);
  if (value == nullptr || value[0] == '\0') return absl::OkStatus();
  const std::string name = value;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if ((name[0] != '/' && name[0] != '@') || name.size() < 2 ||
      name.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s='%s' is not an absolute path nor an abstract '@' name of at most %d bytes",
        kSocketVariable, name, sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name[0] == '@') address.sun_path[0] = '\0';  // the abstract namespace
  // A path ends with its NUL; an abstract name is exactly its bytes.
  const socklen_t address_bytes = static_cast<socklen_t>(
      offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '/' ? 1 : 0));

  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrFormat("systemd notification socket: %s", std::strerror(errno)));
  }
  const SocketCloser closer{fd};
  ssize_t sent;
  do {
    sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                  reinterpret_cast<const sockaddr*>(&address), address_bytes);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return absl::UnavailableError(
        absl::StrFormat("systemd notification to %s: %s", name, std::strerror(errno)));
  }
  if (static_cast<size_t>(sent) != state.size()) {
    return absl::UnavailableError(absl::StrFormat(
        "systemd notification to %s: %d of %d bytes sent", name, sent, state.size()));
  }
  return absl::OkStatus();
}

}  // namespace clas::server
