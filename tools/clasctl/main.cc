// clasctl: the clas-ledger command line (see clasctl.h).
#include <iostream>
#include <string>
#include <vector>

#include "tools/clasctl/clasctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return clas::ctl::RunClasctl(std::move(args), std::cout, std::cerr);
}
