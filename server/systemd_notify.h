// Tells systemd how the server's start and stop go: sd_notify(3)'s protocol, without libsystemd.
// A unit of Type=notify (tools/package/clas-ledgerd.service) is started when the server says
// READY=1, so that `systemctl start` returns once the port is bound, not before.
//
// The protocol: systemd puts the path of an AF_UNIX datagram socket in $NOTIFY_SOCKET (a path
// beginning with '/', or '@' for a name in the abstract namespace); the service sends it one
// datagram of newline-separated "KEY=VALUE" assignments (READY=1, STOPPING=1, STATUS=...).
//
// Thread-safety: NotifySystemd may be called from any thread; it reads the environment, which
// must not be changed concurrently (setenv is not thread-safe).
#ifndef CLAS_SERVER_SYSTEMD_NOTIFY_H_
#define CLAS_SERVER_SYSTEMD_NOTIFY_H_

#include <string_view>

#include "absl/status/status.h"

namespace clas::server {

// Sends `state` ("READY=1", ...) as one datagram to the socket named by $NOTIFY_SOCKET.
// Returns OkStatus when it was sent, or at once when $NOTIFY_SOCKET is unset or empty (not run
// by systemd: nobody to tell). InvalidArgument when the variable names no absolute path nor
// abstract name, or one too long for a socket address; Unavailable (with errno's text) when
// the socket cannot be made or the datagram not sent whole.
absl::Status NotifySystemd(std::string_view state);

}  // namespace clas::server

#endif  // CLAS_SERVER_SYSTEMD_NOTIFY_H_
