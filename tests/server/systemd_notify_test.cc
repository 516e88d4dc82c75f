// NotifySystemd speaks sd_notify(3)'s protocol: one datagram to the socket $NOTIFY_SOCKET names,
// a filesystem path or an abstract '@' name; nothing when the variable is unset; a clear error
// for a name no socket can have or a socket nobody listens on.
#include "server/systemd_notify.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clas::server {
namespace {

using ::testing::HasSubstr;

// A datagram socket bound to `name` (a path, or '@' and an abstract name), as systemd makes it.
class Listener {
 public:
  explicit Listener(const std::string& name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    const socklen_t bytes = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                                                   (name[0] == '@' ? 0 : 1));
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&address), bytes), 0)
        << std::strerror(errno);
  }
  ~Listener() { close(fd_); }

  // The next datagram, or "" when none is waiting.
  std::string Receive() {
    char buffer[256];
    const ssize_t got = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
  }

 private:
  int fd_ = -1;
};

class NotifyTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("NOTIFY_SOCKET"); }

  std::string TempPath(const std::string& leaf) {
    dir_ = std::filesystem::temp_directory_path() /
           ("clas-notify-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    return (dir_ / leaf).string();
  }
  ~NotifyTest() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
};

TEST_F(NotifyTest, UnsetOrEmptyVariableSendsNothingAndSucceeds) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(NotifySystemd("READY=1").ok());
  setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_TRUE(NotifySystemd("READY=1").ok());
}

TEST_F(NotifyTest, SendsTheStateToASocketPath) {
  const std::string path = TempPath("notify");
  Listener listener(path);
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ASSERT_TRUE(NotifySystemd("READY=1").ok());
  EXPECT_EQ(listener.Receive(), "READY=1");
  ASSERT_TRUE(NotifySystemd("STOPPING=1\nSTATUS=shutting down").ok());
  EXPECT_EQ(listener.Receive(), "STOPPING=1\nSTATUS=shutting down");
  EXPECT_EQ(listener.Receive(), "");
}

TEST_F(NotifyTest, SendsTheStateToAnAbstractName) {
  const std::string name = "@clas-notify-test-" + std::to_string(getpid());
  Listener listener(name);
  setenv("NOTIFY_SOCKET", name.c_str(), 1);
  ASSERT_TRUE(NotifySystemd("READY=1").ok());
  EXPECT_EQ(listener.Receive(), "READY=1");
}

TEST_F(NotifyTest, RefusesARelativeOrOverlongName) {
  setenv("NOTIFY_SOCKET", "run/notify", 1);
  absl::Status relative = NotifySystemd("READY=1");
  EXPECT_EQ(relative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(relative.message()), HasSubstr("run/notify"));
  setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_EQ(NotifySystemd("READY=1").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NotifyTest, NobodyListeningIsUnavailable) {
  const std::string path = TempPath("absent");
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  absl::Status status = NotifySystemd("READY=1");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr(path));
}

}  // namespace
}  // namespace clas::server
