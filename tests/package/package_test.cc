// The Debian package clas-ledger, built by cpack from this build tree and taken apart by
// dpkg-deb: the files it installs, their modes and owner, its control fields (the libraries'
// packages among its dependencies), its conffiles and maintainer scripts, and the programs'
// --help against their manual pages. Its service: package_service_test.cc; installed for real:
// package_install_test.cc.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/package/package_support.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Entry {
  std::string mode;   // as ls shows it: -rwxr-xr-x
  std::string owner;  // user/group
};

// The files of `dpkg-deb -c`, by path (./usr/bin/clasctl), directories left out.
std::map<std::string, Entry> Files(const std::string& listing) {
  std::map<std::string, Entry> files;
  for (const std::string& line : Lines(listing)) {
    std::istringstream fields(line);
    std::string mode, owner, size, date, time, path;
    fields >> mode >> owner >> size >> date >> time >> path;
    if (!mode.empty() && mode[0] != 'd') files[path] = {mode, owner};
  }
  return files;
}

TEST_F(PackageTest, InstallsTheProgramsTheUnitTheConfigAndTheManPagesOwnedByRoot) {
  const ShellRun listing = DpkgDeb("-c");
  ASSERT_EQ(listing.code, 0) << listing.output;
  const std::map<std::string, Entry> files = Files(listing.output);
  const std::map<std::string, std::string> expected = {
      {"./usr/bin/clas-ledgerd", "-rwxr-xr-x"},
      {"./usr/bin/clasctl", "-rwxr-xr-x"},
      {"./usr/share/man/man8/clas-ledgerd.8.gz", "-rw-r--r--"},
      {"./usr/share/man/man1/clasctl.1.gz", "-rw-r--r--"},
      {"./lib/systemd/system/clas-ledgerd.service", "-rw-r--r--"},
      {"./etc/clas-ledger/clas-ledgerd.conf", "-rw-r--r--"},
      // Hashes of tokens: whoever may write the file grants roles (the server refuses it
      // writable by group or others); the group clas-ledger reads it (postinst).
      {"./etc/clas-ledger/tokens", "-rw-r-----"},
  };
  std::map<std::string, std::string> modes;
  for (const auto& [path, entry] : files) {
    modes[path] = entry.mode;
    EXPECT_EQ(entry.owner, "root/root") << path;
  }
  EXPECT_EQ(modes, expected) << listing.output;
  for (const auto& line : Lines(listing.output)) {
    if (!line.empty() && line[0] == 'd') {
      EXPECT_THAT(line, StartsWith("drwxr-xr-x root/root")) << line;
    }
  }
}

TEST_F(PackageTest, ControlNamesThePackageItsVersionAndTheLibrariesItNeeds) {
  EXPECT_EQ(deb_.filename().string().rfind("clas-ledger_" CLAS_VERSION "_", 0), 0u) << deb_;
  const ShellRun arch = Shell("dpkg --print-architecture");
  ASSERT_EQ(arch.code, 0) << arch.output;
  const ShellRun fields = DpkgDeb("-f");
  ASSERT_EQ(fields.code, 0) << fields.output;
  EXPECT_THAT(fields.output, HasSubstr("Package: clas-ledger\n"));
  EXPECT_THAT(fields.output, HasSubstr("Version: " CLAS_VERSION "\n"));
  EXPECT_THAT(fields.output, HasSubstr("Architecture: " + arch.output));
  EXPECT_THAT(fields.output, HasSubstr("Maintainer: "));
  std::string depends;
  for (const std::string& line : Lines(fields.output)) {
    if (line.rfind("Depends: ", 0) == 0) depends = line;
  }
  // dpkg-shlibdeps found the runtime packages of what the programs link (RocksDB is linked
  // statically: Debian's CMake config names its static library); adduser is listed.
  for (const char* package : {"adduser", "libc6", "libgrpc++", "libprotobuf", "libabsl",
                              "libssl3"}) {
    EXPECT_THAT(depends, HasSubstr(package)) << fields.output;
  }
  EXPECT_THAT(depends, Not(HasSubstr("-dev"))) << fields.output;
}

TEST_F(PackageTest, ConffilesAreTheConfigAndTheTokenFileAndTheScriptsAreShellScripts) {
  EXPECT_THAT(Lines(ReadText(control_ / "conffiles")),
              ElementsAre("/etc/clas-ledger/clas-ledgerd.conf", "/etc/clas-ledger/tokens"));
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    const fs::path path = control_ / script;
    ASSERT_TRUE(fs::exists(path)) << script;
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, static_cast<fs::perms>(0755))
        << script;
    EXPECT_THAT(ReadText(path), StartsWith("#!/bin/sh\n")) << script;
    const ShellRun syntax = Shell("sh -n " + Quoted(path.string()));
    EXPECT_EQ(syntax.code, 0) << script << ": " << syntax.output;
    EXPECT_EQ(ReadText(path), ReadText(fs::path(CLAS_SOURCE_DIR) / "tools/package" / script))
        << script;
  }
}

// The flag names of `text`: "--" and a lower-case letter, up to the first character no flag
// name has ("--FLAG=VALUE" of a usage line is not one).
std::set<std::string> FlagsIn(const std::string& text) {
  std::set<std::string> flags;
  for (size_t at = text.find("--"); at != std::string::npos; at = text.find("--", at + 2)) {
    size_t end = at + 2;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '-')) {
      ++end;
    }
    if (end > at + 2 && std::islower(static_cast<unsigned char>(text[at + 2]))) {
      flags.insert(text.substr(at + 2, end - at - 2));
    }
    at = end - 2;
  }
  return flags;
}

// The manual page of the package, as troff source (roff's "\-" read as "-").
std::string ManPage(const fs::path& root, const std::string& page) {
  const ShellRun text = Shell("gzip -dc " + Quoted((root / page).string()));
  EXPECT_EQ(text.code, 0) << page << ": " << text.output;
  std::string out;
  for (size_t i = 0; i < text.output.size(); ++i) {
    if (text.output.compare(i, 2, "\\-") == 0) continue;  // the '-' follows
    out += text.output[i];
  }
  return out;
}

TEST_F(PackageTest, TheServerSaysWhatItIsAndItsManPageExplainsEveryFlag) {
  const ShellRun help = Shell(Quoted((root_ / "usr/bin/clas-ledgerd").string()) + " --help");
  // Abseil ends a run of --help with status 1, as gflags did.
  EXPECT_THAT(help.code, ::testing::AnyOf(0, 1)) << help.output;
  EXPECT_THAT(help.output, HasSubstr("the clas-ledger gRPC server"));
  const std::set<std::string> flags = FlagsIn(help.output);
  for (const char* flag : {"config", "data", "listen", "tokens", "tls_cert", "tls_key"}) {
    EXPECT_TRUE(flags.count(flag)) << "--" << flag << " missing from:\n" << help.output;
  }
  const std::string page = ManPage(root_, "usr/share/man/man8/clas-ledgerd.8.gz");
  EXPECT_THAT(page, HasSubstr(".SH NAME\nclas-ledgerd - "));
  const std::set<std::string> documented = FlagsIn(page);
  for (const std::string& flag : flags) {
    if (flag.rfind("help", 0) == 0 || flag == "version" || flag == "only_check_args") continue;
    EXPECT_TRUE(documented.count(flag)) << "--" << flag << " is not in clas-ledgerd(8)";
  }
}

TEST_F(PackageTest, ClasctlSaysWhatItIsAndItsManPageNamesEveryCommand) {
  const ShellRun help = Shell(Quoted((root_ / "usr/bin/clasctl").string()) + " --help");
  EXPECT_EQ(help.code, 0) << help.output;
  EXPECT_THAT(help.output, HasSubstr("the clas-ledger command line"));
  const std::string page = ManPage(root_, "usr/share/man/man1/clasctl.1.gz");
  EXPECT_THAT(page, HasSubstr(".SH NAME\nclasctl - "));
  // The overview's command lines: two spaces, the usage (command words in lower case, then
  // arguments in upper case), two spaces or more, the summary.
  const std::vector<std::string> page_lines = Lines(page);
  int commands = 0;
  for (const std::string& line : Lines(help.output)) {
    if (line.size() < 3 || line.rfind("  ", 0) != 0 ||
        !std::islower(static_cast<unsigned char>(line[2]))) {
      continue;
    }
    std::istringstream usage(line.substr(2, line.find("  ", 2) - 2));
    std::string command;
    for (std::string word; usage >> word && std::islower(static_cast<unsigned char>(word[0]));) {
      command += command.empty() ? word : " " + word;
    }
    ++commands;
    EXPECT_TRUE(std::any_of(page_lines.begin(), page_lines.end(),
                            [&](const std::string& l) {
                              return l.rfind(".B", 0) == 0 && l.find(command) != std::string::npos;
                            }))
        << command << " is not in clasctl(1)";
  }
  EXPECT_GE(commands, 10) << help.output;
}

}  // namespace
}  // namespace clas::testing
