// The package's maintainer scripts (tools/package/postinst, prerm, postrm), run by /bin/sh as
// dpkg runs them, against stand-ins of the commands they call (adduser, systemctl, chown, ...)
// that record their arguments: the user and its directory made once, the token file given to
// the server's group, the service enabled, and the ledger and the user kept on removal and purge.
#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/package/package_support.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

// Every command a script may call by name; each stand-in exits with $STUB_EXIT_<NAME> (0 when
// unset), getent's and dpkg-statoverride's as their real ones when nothing is found.
const std::vector<std::string>& Commands() {
  static const auto* const kCommands = new std::vector<std::string>{
      "adduser", "addgroup", "getent", "dpkg-statoverride", "install", "chown", "chmod",
      "systemctl", "deb-systemd-helper", "rm", "rmdir", "deluser", "delgroup", "userdel",
      "groupdel", "mkdir", "chgrp"};
  return *kCommands;
}

// The variable holding the exit status of `command`'s stand-in: STUB_EXIT_DPKG_STATOVERRIDE.
std::string ExitVariable(const std::string& command) {
  std::string variable = "STUB_EXIT_" + command;
  for (char& c : variable) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return variable;
}

class ScriptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(scratch_.path().empty());
    fs::create_directories(scratch_.path() / "bin");
    for (const std::string& name : Commands()) {
      const fs::path stub = scratch_.path() / "bin" / name;
      std::ofstream(stub) << "#!/bin/sh\necho \"" << name << " $*\" >> \"$STUB_LOG\"\nexit ${"
                          << ExitVariable(name) << ":-0}\n";
      fs::permissions(stub, fs::perms::owner_all);
    }
    ExitWith("getent", 2);             // no user clas-ledger yet
    ExitWith("dpkg-statoverride", 1);  // no override of modes and owners
  }

  // The stand-in of `command` exits with `code`.
  void ExitWith(const std::string& command, int code) {
    exits_ += ExitVariable(command) + "=" + std::to_string(code) + " ";
  }

  // Runs tools/package/<script> with `arguments`; returns its status, its calls in calls_.
  int RunScript(const std::string& script, const std::string& arguments) {
    const fs::path log = scratch_.path() / "calls";
    fs::remove(log);
    const std::string path = std::string(CLAS_SOURCE_DIR) + "/tools/package/" + script;
    const ShellRun run = Shell("env -i PATH=" + Quoted((scratch_.path() / "bin").string()) +
                               " STUB_LOG=" + Quoted(log.string()) + " " + exits_ + "/bin/sh " +
                               Quoted(path) + " " + arguments);
    calls_ = fs::exists(log) ? Lines(ReadText(log)) : std::vector<std::string>{};
    output_ = run.output;
    return run.code;
  }

  // systemd runs on this machine: the scripts then start, stop and reload it too.
  static bool SystemdRuns() { return fs::is_directory("/run/systemd/system"); }

  ScratchDir scratch_{"clas-scripts"};
  std::string exits_;
  std::vector<std::string> calls_;
  std::string output_;
};

TEST_F(ScriptsTest, FirstConfigureMakesTheUserItsDirectoryAndEnablesTheService) {
  ASSERT_EQ(RunScript("postinst", "configure"), 0) << output_;
  std::vector<std::string> expected = {
      "getent passwd clas-ledger",
      "adduser --system --group --home /var/lib/clas-ledger --comment clas-ledger server "
      "clas-ledger",
      "dpkg-statoverride --list /var/lib/clas-ledger",
      "install -d -o clas-ledger -g clas-ledger -m 0750 /var/lib/clas-ledger",
      "dpkg-statoverride --list /etc/clas-ledger/tokens",
      "chown root:clas-ledger /etc/clas-ledger/tokens",
      "chmod 0640 /etc/clas-ledger/tokens"};
  if (SystemdRuns()) {
    expected.insert(expected.end(), {"systemctl daemon-reload",
                                     "systemctl enable clas-ledgerd.service",
                                     "systemctl start clas-ledgerd.service"});
  } else {
    expected.push_back("systemctl enable clas-ledgerd.service");
  }
  EXPECT_THAT(calls_, ElementsAreArray(expected));
}

TEST_F(ScriptsTest, UpgradeKeepsTheUserAndRestartsOnlyARunningService) {
  ExitWith("getent", 0);  // the user exists
  ASSERT_EQ(RunScript("postinst", "configure 0.0.9"), 0) << output_;
  std::vector<std::string> expected = {
      "getent passwd clas-ledger",
      "dpkg-statoverride --list /var/lib/clas-ledger",
      "install -d -o clas-ledger -g clas-ledger -m 0750 /var/lib/clas-ledger",
      "dpkg-statoverride --list /etc/clas-ledger/tokens",
      "chown root:clas-ledger /etc/clas-ledger/tokens",
      "chmod 0640 /etc/clas-ledger/tokens"};
  if (SystemdRuns()) {
    expected.insert(expected.end(),
                    {"systemctl daemon-reload", "systemctl try-restart clas-ledgerd.service"});
  }
  EXPECT_THAT(calls_, ElementsAreArray(expected));
  // Stopped once, by the new postinst's restart: the old prerm leaves it running.
  ASSERT_EQ(RunScript("prerm", "upgrade 0.2.0"), 0) << output_;
  EXPECT_THAT(calls_, IsEmpty());
}

TEST_F(ScriptsTest, AnAdministratorsStatOverrideIsLeftAsItIs) {
  ExitWith("getent", 0);
  ExitWith("dpkg-statoverride", 0);  // dpkg-statoverride --add was used on both paths
  ASSERT_EQ(RunScript("postinst", "configure 0.0.9"), 0) << output_;
  for (const std::string& call : calls_) {
    EXPECT_THAT(call, ::testing::Not(::testing::StartsWith("ch"))) << call;
    EXPECT_THAT(call, ::testing::Not(::testing::StartsWith("install"))) << call;
  }
}

TEST_F(ScriptsTest, AFailedAdduserFailsTheConfiguration) {
  ExitWith("adduser", 1);
  EXPECT_NE(RunScript("postinst", "configure"), 0);
  EXPECT_THAT(calls_, ::testing::Not(::testing::Contains(::testing::StartsWith("install"))));
}

TEST_F(ScriptsTest, RemoveAndPurgeKeepTheLedgerAndTheUser) {
  ASSERT_EQ(RunScript("prerm", "remove"), 0) << output_;
  std::vector<std::string> expected;
  if (SystemdRuns()) expected.push_back("systemctl stop clas-ledgerd.service");
  expected.push_back("systemctl disable clas-ledgerd.service");
  EXPECT_THAT(calls_, ElementsAreArray(expected));
  for (const char* step : {"remove", "purge"}) {
    ASSERT_EQ(RunScript("postrm", step), 0) << output_;
    if (SystemdRuns()) {
      EXPECT_THAT(calls_, ElementsAreArray({"systemctl daemon-reload",
                                            "systemctl reset-failed clas-ledgerd.service"}));
    } else {
      EXPECT_THAT(calls_, IsEmpty()) << step;
    }
  }
}

}  // namespace
}  // namespace clas::testing
