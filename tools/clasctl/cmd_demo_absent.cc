// demo, in a build without the demo dataset (tools/demo not configured).
#include "tools/clasctl/commands.h"

namespace clas::ctl {

int DemoCommand(const Invocation& in, Io& io) {
  io.err << "clasctl: this build has no demo dataset (tools/demo)\n";
  return kExitUsage;
}

}  // namespace clas::ctl
