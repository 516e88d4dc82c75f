// Starting a program of the local cluster (etcd, clas-ledgerd) with its output appended to a
// log file.
#ifndef CLAS_TOOLS_CLUSTER_SPAWN_H_
#define CLAS_TOOLS_CLUSTER_SPAWN_H_

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace clas::local_cluster {

// Starts `args[0]` with `args`, stdout and stderr appended to `log`: 0 with *pid set, or
// posix_spawn's error number with *pid = 0. posix_spawn rather than fork: the child runs nothing
// of this multi-threaded process (gRPC's threads, its fork handlers) before exec.
inline int SpawnLogged(std::vector<std::string> args, const std::string& log, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = posix_spawn(pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) *pid = 0;
  return spawned;
}

}  // namespace clas::local_cluster

#endif  // CLAS_TOOLS_CLUSTER_SPAWN_H_
